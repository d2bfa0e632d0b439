using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore.Tests;

public sealed class KeywardAssertionHandlerTests : IAsyncLifetime
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

    private AssertionSpec Spec => new() { Issuer = _keyward.Issuer, IssuedAt = _time.GetUtcNow() };

    [Fact]
    public async Task Authenticate_ValidAssertion_PrincipalHasSubNameSidAmr()
    {
        var response = await _app.GetWhoAmIAsync(Spec.Mint(_key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("acc_0001", me.GetProperty("sub").GetString());
        Assert.Equal("alice", me.GetProperty("name").GetString());
        Assert.Equal("ses_0001", me.GetProperty("sid").GetString());
        Assert.Equal(new[] { "hwk", "uv" }, me.GetProperty("amr").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(KeywardAssertionDefaults.AuthenticationScheme, me.GetProperty("authenticationType").GetString());
        Assert.False(me.GetProperty("keepsRawToken").GetBoolean());
    }

    [Fact]
    public async Task Authenticate_SingleAmr_PrincipalHasOneAmrClaim()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Amr = ["hwk"] }).Mint(_key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(new[] { "hwk" }, me.GetProperty("amr").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task Authenticate_MissingHeader_Returns401AssertionMissing()
    {
        var response = await _app.GetWhoAmIAsync();

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_missing");
        Assert.Equal("KeywardAssertion", ProtectedApp.Challenge(response)?.Scheme);
        Assert.Equal(0, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_WrongAudience_Returns401AssertionWrongAudience()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Audience = "billing" }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_wrong_audience");
    }

    [Fact]
    public async Task Authenticate_WrongIssuer_Returns401AssertionWrongIssuer()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Issuer = "https://evil.example" }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_wrong_issuer");
    }

    [Theory]
    [InlineData("JWT")]
    [InlineData("kw-cap+jwt")]
    [InlineData("at+jwt")]
    [InlineData("KW-ID+JWT")]
    public async Task Authenticate_WrongTyp_Returns401AssertionWrongType(string typ)
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Type = typ }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_wrong_type");
    }

    [Fact]
    public async Task Authenticate_NoTyp_Returns401AssertionWrongType()
    {
        var token = Spec.Mint(_key);
        var header = $$"""{"alg":"ES256","kid":"{{_key.Kid}}"}""";
        var unsigned = Base64UrlEncoder.Encode(header) + "." + token.Split('.')[1];
        var signature = _key.Ecdsa.SignData(Encoding.ASCII.GetBytes(unsigned), HashAlgorithmName.SHA256);

        var response = await _app.GetWhoAmIAsync(unsigned + "." + Base64UrlEncoder.Encode(signature));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_wrong_type");
    }

    [Fact]
    public async Task Authenticate_Expired_Returns401AssertionExpired()
    {
        var token = Spec.Mint(_key);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetWhoAmIAsync(token)).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(60) + TimeSpan.FromSeconds(6));
        var response = await _app.GetWhoAmIAsync(token);

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_expired");
    }

    [Fact]
    public async Task Authenticate_ExpiredWithinClockSkew_Accepted()
    {
        var token = Spec.Mint(_key);

        _time.Advance(TimeSpan.FromSeconds(64));
        var response = await _app.GetWhoAmIAsync(token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_IssuedInTheFuture_Returns401AssertionNotYetValid()
    {
        var token = (Spec with { IssuedAt = _time.GetUtcNow().AddSeconds(30) }).Mint(_key);

        var response = await _app.GetWhoAmIAsync(token);

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_not_yet_valid");
    }

    [Fact]
    public async Task Authenticate_NotBeforeInTheFuture_Returns401AssertionNotYetValid()
    {
        var token = (Spec with { NotBefore = _time.GetUtcNow().AddSeconds(20) }).Mint(_key);

        var response = await _app.GetWhoAmIAsync(token);

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_not_yet_valid");
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await _app.GetWhoAmIAsync(token)).StatusCode);
    }

    [Fact]
    public async Task Authenticate_NoIssuedAt_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { IncludeIssuedAt = false }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_NoExpiry_Returns401AssertionInvalid()
    {
        var token = AssertionSpec.ReplacePart(Spec.Mint(_key), 1, json =>
        {
            var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
            payload.Remove("exp");
            return JsonSerializer.Serialize(payload);
        });
        var response = await _app.GetWhoAmIAsync(Resign(token, _key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_LifetimeAboveMaximum_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Lifetime = TimeSpan.FromHours(1) }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_MissingSid_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { SessionId = null }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_ForeignKeyWithUnknownKid_Returns401AssertionUntrustedKey()
    {
        var foreign = new TestSigningKey("attacker-key");

        var response = await _app.GetWhoAmIAsync(Spec.Mint(foreign));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_untrusted_key");
    }

    [Fact]
    public async Task Authenticate_ForeignKeyReusingTrustedKid_Returns401AssertionInvalid()
    {
        var foreign = new TestSigningKey(_key.Kid);

        var response = await _app.GetWhoAmIAsync(Spec.Mint(foreign));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_AlgNone_Returns401AssertionInvalidWithoutFetchingKeys()
    {
        var unsigned = AssertionSpec.ReplacePart(Spec.Mint(credentials: null), 0, _ => $$"""{"alg":"none","typ":"kw-id+jwt","kid":"{{_key.Kid}}"}""");

        var response = await _app.GetWhoAmIAsync(unsigned);

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
        Assert.Equal(0, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_Hs256WithPublicKeyAsSecret_Returns401AssertionInvalid()
    {
        // The classic key-confusion attack: HMAC keyed with the published public key.
        var publicKeyBytes = Encoding.UTF8.GetBytes(_key.ToJwk().ToJsonString());
        var hmacKey = new SymmetricSecurityKey(publicKeyBytes) { KeyId = _key.Kid };

        var response = await _app.GetWhoAmIAsync(Spec.Mint(new SigningCredentials(hmacKey, SecurityAlgorithms.HmacSha256)));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
        Assert.Equal(0, _keyward.FetchCount);
    }

    [Fact]
    public async Task Authenticate_Es384Signature_Returns401AssertionInvalid()
    {
        var p384 = new TestSigningKey(_key.Kid, ECCurve.NamedCurves.nistP384);

        var response = await _app.GetWhoAmIAsync(Spec.Mint(p384.Credentials(SecurityAlgorithms.EcdsaSha384)));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_TamperedPayload_Returns401AssertionInvalid()
    {
        var token = AssertionSpec.ReplacePart(Spec.Mint(_key), 1, json => json.Replace("acc_0001", "acc_admin", StringComparison.Ordinal));

        var response = await _app.GetWhoAmIAsync(token);

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_TamperedSignature_Returns401AssertionInvalid()
    {
        var parts = Spec.Mint(_key).Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[^1] ^= 1;

        var response = await _app.GetWhoAmIAsync($"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}");

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_TwoAssertionHeaders_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync(Spec.Mint(_key), Spec.Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30.")]
    [InlineData("a.b.c.d.e")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.a.b.c.d")] // found by fuzzing: IDX10400 (a FormatException) escaped ReadJsonWebToken
    public async Task Authenticate_Malformed_Returns401AssertionInvalid(string token)
    {
        var response = await _app.GetWhoAmIAsync(token);

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_Oversized_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Name = new string('a', 10_000) }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Challenge_RefusedAssertions_NeverEchoTheTokenInBodyHeadersOrLogs()
    {
        var refused = new[]
        {
            (Spec with { Audience = "billing" }).Mint(_key),
            (Spec with { Type = "JWT" }).Mint(_key),
            Spec.Mint(new TestSigningKey("attacker-key")),
            AssertionSpec.ReplacePart(Spec.Mint(_key), 1, json => json.Replace("alice", "mallory", StringComparison.Ordinal)),
            (Spec with { IssuedAt = _time.GetUtcNow().AddMinutes(-10) }).Mint(_key),
        };

        foreach (var token in refused)
        {
            var response = await _app.GetWhoAmIAsync(token);
            var body = await response.Content.ReadAsStringAsync();
            var headers = response.Headers.ToString() + response.Content.Headers;

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            foreach (var part in token.Split('.'))
            {
                Assert.DoesNotContain(part, body, StringComparison.Ordinal);
                Assert.DoesNotContain(part, headers, StringComparison.Ordinal);
                Assert.DoesNotContain(_app.Logs.Lines, line => line.Text.Contains(part, StringComparison.Ordinal));
            }
        }

        Assert.Contains(_app.Logs.Lines, line => line.EventId == 9002);
    }

    [Fact]
    public async Task Forbid_AuthenticatedButNotAllowed_Returns403AccessDenied()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Add(KeywardAssertionDefaults.HeaderName, Spec.Mint(_key));

        var response = await _app.Client.SendAsync(request);

        await ProtectedApp.AssertProblemAsync(response, 403, "access_denied");
    }

    [Fact]
    public async Task Authenticate_EmptySubWithSid_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { Subject = "" }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_EmptySid_Returns401AssertionInvalid()
    {
        var response = await _app.GetWhoAmIAsync((Spec with { SessionId = "" }).Mint(_key));

        await ProtectedApp.AssertProblemAsync(response, 401, "assertion_invalid");
    }

    [Fact]
    public async Task Authenticate_OptionsTimeProvider_TakesPrecedenceOverTheServiceContainers()
    {
        // The scheme's own clock is a year ahead of the container's: a token minted on the container's clock is
        // expired for the scheme, and one minted on the scheme's clock is accepted.
        var schemeTime = new FakeTimeProvider(_time.GetUtcNow().AddYears(1));
        await using var app = await ProtectedApp.StartAsync(_keyward, _time, o => o.TimeProvider = schemeTime);

        await ProtectedApp.AssertProblemAsync(await app.GetWhoAmIAsync(Spec.Mint(_key)), 401, "assertion_expired");
        Assert.Equal(HttpStatusCode.OK, (await app.GetWhoAmIAsync((Spec with { IssuedAt = schemeTime.GetUtcNow() }).Mint(_key))).StatusCode);
    }

    private static string Resign(string token, TestSigningKey key)
    {
        var parts = token.Split('.');
        var signingInput = parts[0] + "." + parts[1];
        var signature = key.Ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }
}
