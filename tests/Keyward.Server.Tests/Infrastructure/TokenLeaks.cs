using System.Text.RegularExpressions;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// Finds session tokens (<c>kws_</c> + 49 base62 characters) in responses. Only a successful sign-in may carry one,
/// in its body and its Set-Cookie; any other response (a problem, a list, an upstream's answer) that does has leaked it.
/// </summary>
internal static partial class TokenLeaks
{
    public static IReadOnlyList<string> Find(IEnumerable<KeywardResponse> responses)
    {
        var leaks = new List<string>();
        foreach (var response in responses)
        {
            if (IsSignIn(response))
            {
                continue;
            }

            if (SessionToken().IsMatch(response.Body))
            {
                leaks.Add($"{response.Method} {response.Path} -> {response.StatusCode}: body");
            }

            foreach (var (name, values) in response.Headers.Concat(response.ContentHeaders))
            {
                if (values.Any(v => SessionToken().IsMatch(v)))
                {
                    leaks.Add($"{response.Method} {response.Path} -> {response.StatusCode}: header {name}");
                }
            }
        }

        return leaks;
    }

    public static bool IsSignIn(KeywardResponse response) =>
        response.Path == KeywardPaths.LoginFinish && response.StatusCode == 200;

    public static bool Contains(string text) => SessionToken().IsMatch(text);

    [GeneratedRegex("kws_[0-9A-Za-z]{49}")]
    private static partial Regex SessionToken();
}
