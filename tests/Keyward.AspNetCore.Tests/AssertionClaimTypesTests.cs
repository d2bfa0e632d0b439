using System.Net;
using System.Text.RegularExpressions;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.AspNetCore.Tests;

/// <summary>
/// Explicit typing down to the claims (RFC 8725 §3.11, RFC 7515 §4.1.11): a token signed with the real key but shaped
/// unlike anything Keyward's proxy mints is refused. Each case edits one thing and signs again, so the edit alone fails it.
/// </summary>
public sealed partial class AssertionClaimTypesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TestSigningKey _key = new("kw-2030-01");
    private FakeKeyward _keyward = null!;
    private ProtectedApp _app = null!;

    public async Task InitializeAsync()
    {
        _keyward = await FakeKeyward.StartAsync();
        _keyward.Publish(_key);
        _app = await ProtectedApp.StartAsync(_keyward, _time);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _keyward.DisposeAsync();
    }

    [Fact]
    public async Task Authenticate_ResignedWithoutAnyEdit_IsAccepted()
    {
        var token = AssertionSpec.EditAndResign(Mint(), 1, json => json, _key);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetWhoAmIAsync(token)).StatusCode);
    }

    [Theory]
    [InlineData("iat as a string")]
    [InlineData("exp as a float")]
    [InlineData("exp with an exponent")]
    [InlineData("nbf as a string")]
    [InlineData("aud as an array")]
    [InlineData("sub as a number")]
    [InlineData("sid as an array")]
    public async Task Authenticate_ClaimOfTheWrongJsonType_Returns401AssertionInvalid(string edit)
    {
        var iat = _time.GetUtcNow().ToUnixTimeSeconds();
        var token = AssertionSpec.EditAndResign(Mint(), 1, json => edit switch
        {
            "iat as a string" => IatClaim().Replace(json, $"\"iat\":\"{iat}\""),
            "exp as a float" => ExpClaim().Replace(json, m => $"\"exp\":{m.Groups[1].Value}.5"),
            "exp with an exponent" => ExpClaim().Replace(json, $"\"exp\":{(iat + 60) / 10}e1"),
            "nbf as a string" => json.TrimEnd('}') + $",\"nbf\":\"{iat}\"}}",
            "aud as an array" => json.Replace("\"aud\":\"counter\"", "\"aud\":[\"counter\"]", StringComparison.Ordinal),
            "sub as a number" => json.Replace("\"sub\":\"acc_0001\"", "\"sub\":1", StringComparison.Ordinal),
            "sid as an array" => json.Replace("\"sid\":\"ses_0001\"", "\"sid\":[\"ses_0001\"]", StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(edit)),
        }, _key);

        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(token), 401, "assertion_invalid");
    }

    [Theory]
    [InlineData("[\"exp\"]")]
    [InlineData("[\"x-keyward-unknown\"]")]
    [InlineData("[]")]
    public async Task Authenticate_CritHeader_Returns401AssertionInvalid(string crit)
    {
        var token = AssertionSpec.EditAndResign(Mint(), 0, json => json.TrimEnd('}') + $",\"crit\":{crit}}}", _key);

        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(token), 401, "assertion_invalid");
    }

    private string Mint() => new AssertionSpec { Issuer = _keyward.Issuer, IssuedAt = _time.GetUtcNow() }.Mint(_key);

    [GeneratedRegex("\"iat\":\\d+")]
    private static partial Regex IatClaim();

    [GeneratedRegex("\"exp\":(\\d+)")]
    private static partial Regex ExpClaim();
}
