using System.Net;
using System.Text.RegularExpressions;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.AspNetCore.Tests;

/// <summary>
/// The edges of every bound the verifier enforces, one step inside and one step outside: token length, lifetime
/// (exp - iat), not-before and expiry with the clock skew, and the range of iat. Found by mutation testing
/// (docs/testing.md, "Mutation testing"): the earlier tests sat well inside or well outside each bound, so turning
/// <c>&gt;</c> into <c>&gt;=</c> went unnoticed. Defaults: ClockSkew 5 s, MaxAssertionLifetime 5 min.
/// </summary>
public sealed partial class AssertionBoundaryTests : IAsyncLifetime
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

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

    private AssertionSpec Spec => new() { Issuer = _keyward.Issuer, IssuedAt = _time.GetUtcNow() };

    [Fact]
    public async Task Authenticate_TokenExactlyAtMaxTokenLength_IsAcceptedAndOneCharMoreIsRefused()
    {
        var atLimit = MintOfLength(KeywardAssertionValidator.MaxTokenLength);
        var overLimit = MintOfLength(KeywardAssertionValidator.MaxTokenLength + 1);

        Assert.Equal(KeywardAssertionValidator.MaxTokenLength, atLimit.Length);
        Assert.Equal(KeywardAssertionValidator.MaxTokenLength + 1, overLimit.Length);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetWhoAmIAsync(atLimit)).StatusCode);
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(overLimit), 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_LifetimeExactlyMaxAssertionLifetime_IsAccepted()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Lifetime = MaxLifetime }).Mint(_key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_LifetimeOneSecondAboveMaximum_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Lifetime = MaxLifetime + TimeSpan.FromSeconds(1) }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_ExpEqualToIat_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Lifetime = TimeSpan.Zero }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_IssuedExactlyClockSkewAhead_IsAccepted()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { IssuedAt = _time.GetUtcNow() + Skew }).Mint(_key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_IssuedOneSecondBeyondClockSkew_Returns401AssertionNotYetValid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { IssuedAt = _time.GetUtcNow() + Skew + TimeSpan.FromSeconds(1) }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_not_yet_valid");
    }

    [Fact]
    public async Task Authenticate_NotBeforeExactlyClockSkewAhead_IsAcceptedAndOneSecondLaterIsNot()
    {
        var atSkew = (Spec with { NotBefore = _time.GetUtcNow() + Skew }).Mint(_key);
        var beyondSkew = (Spec with { NotBefore = _time.GetUtcNow() + Skew + TimeSpan.FromSeconds(1) }).Mint(_key);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetWhoAmIAsync(atSkew)).StatusCode);
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(beyondSkew), 401, "assertion_not_yet_valid");
    }

    [Fact]
    public async Task Authenticate_ExpiredExactlyClockSkewAgo_IsAcceptedAndOneSecondLaterIsNot()
    {
        var token = (Spec with { Lifetime = TimeSpan.FromSeconds(60) }).Mint(_key);

        _time.Advance(TimeSpan.FromSeconds(60) + Skew);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetWhoAmIAsync(token)).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(1));
        await ProtectedApp.AssertProblemAsync(await _app.GetWhoAmIAsync(token), 401, "assertion_expired");
    }

    [Fact]
    public async Task Authenticate_NegativeIat_Returns401AssertionInvalid()
    {
        // iat -1 with exp 59: a positive lifetime within the bound, so only the range check refuses it as invalid
        // (without it the token would merely read as expired).
        var response = await _app.GetWhoAmIAsync(WithIatAndExp(-1, 59));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_IatAtTheUnixEpoch_IsInRangeAndReadsAsExpired()
    {
        var response = await _app.GetWhoAmIAsync(WithIatAndExp(0, 60));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_expired");
    }

    [Fact]
    public async Task Authenticate_IatAtTheLastRepresentableSecond_IsInRangeAndReadsAsNotYetValid()
    {
        var last = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

        var response = await _app.GetWhoAmIAsync(WithIatAndExp(last, last + 1));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_not_yet_valid");
    }

    private string WithIatAndExp(long iat, long exp) =>
        AssertionSpec.EditAndResign(Spec.Mint(_key), 1, json => ExpClaim().Replace(IatClaim().Replace(json, $"\"iat\":{iat}"), $"\"exp\":{exp}"), _key);

    /// <summary>
    /// A valid assertion of exactly <paramref name="length"/> characters: the name claim is padded until the token has
    /// that length. Base64url cannot end a segment at every length, so the header may get up to two spaces of padding.
    /// </summary>
    private string MintOfLength(int length)
    {
        for (var headerSpaces = 0; headerSpaces < 3; headerSpaces++)
        {
            var padding = new string(' ', headerSpaces);
            for (var nameLength = (length * 3 / 4) - 600; nameLength < (length * 3 / 4) + 10; nameLength++)
            {
                var token = AssertionSpec.EditAndResign((Spec with { Name = new string('a', nameLength) }).Mint(_key), 0, json => padding + json, _key);
                if (token.Length == length)
                {
                    return token;
                }
            }
        }

        throw new InvalidOperationException($"No token of exactly {length} characters.");
    }

    [GeneratedRegex("\"iat\":-?\\d+")]
    private static partial Regex IatClaim();

    [GeneratedRegex("\"exp\":-?\\d+")]
    private static partial Regex ExpClaim();
}
