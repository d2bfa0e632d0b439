namespace Keyward.Server.Tests.Infrastructure;

/// <summary>Assertions on RFC 9457 problem responses: the status, the media type and the stable code.</summary>
internal static class ProblemAssert
{
    public static void Problem(KeywardResponse response, int status, string code)
    {
        Assert.True(
            response.StatusCode == status && response.MediaType == "application/problem+json" && response.Code == code,
            $"Expected {status} problem \"{code}\", got: {response}");
        Assert.Equal(status, response.Json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(response.Json.GetProperty("detail").GetString()), "A problem says what went wrong in plain words.");
    }

    public static void Ok(KeywardResponse response, int status = 200) =>
        Assert.True(response.StatusCode == status, $"Expected {status}, got: {response}");
}
