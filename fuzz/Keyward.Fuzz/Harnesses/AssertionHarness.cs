using System.Security.Cryptography;
using System.Text;
using Keyward.AspNetCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.Fuzz.Harnesses;

/// <summary>
/// Keyward.AspNetCore's identity-assertion validator with one fixed ES256 key in its JWKS and a fixed clock: the fuzzer
/// mutates the token (the input, read as UTF-8). Every refusal is an <see cref="AssertionValidationResult"/>; the
/// validator promises never to throw.
/// </summary>
internal sealed class AssertionHarness : IFuzzHarness
{
    /// <summary>The issuer the validator expects.</summary>
    public const string Issuer = "https://keyward.fuzz.example";

    /// <summary>The audience the validator expects.</summary>
    public const string Audience = "https://app.fuzz.example";

    /// <summary>The kid of the fixed key.</summary>
    public const string KeyId = "fuzz-key-1";

    /// <summary>The validator's clock.</summary>
    public static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    // A P-256 key made for this harness only and published in the repository on purpose: it signs nothing but the
    // corpus. It is not, and must never become, a key any Keyward deployment trusts.
    private const string FuzzOnlyPrivateKeyPem = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgonD1XYnHSaW2sTp8
        Z3uvRtlkdoSQJsPx0tUTirLjYwChRANCAASutGMEAz2D6h4hlKXITWtajSzhiBqd
        lr44lvGbPxYkQGAp9Fx5gmpgNu17ohF35DBJUgKmhlTKPRjqOf1h/vAy
        -----END PRIVATE KEY-----
        """;

    private static readonly ECDsa Key = LoadKey();

    private readonly KeywardAssertionValidator _validator;

    /// <summary>Builds the validator over a JWKS that holds the fixed key.</summary>
    public AssertionHarness()
    {
        var time = new FixedTimeProvider(Now);
        var settings = new KeywardAssertionValidatorSettings(Issuer, Audience, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), time, KeywardAssertionDefaults.AuthenticationScheme);
#pragma warning disable CA2000 // The harness lives as long as the process; the client owns its handler.
        var http = new HttpClient(new StaticJwksHandler(Jwks()));
#pragma warning restore CA2000
        var cache = new KeywardJwksCache(http, new Uri("https://keyward.fuzz.example/.well-known/keyward/jwks.json"), time, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), NullLogger.Instance);
        _validator = new KeywardAssertionValidator(settings, cache, NullLogger.Instance);
    }

    /// <inheritdoc />
    public string Name => "assertion";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.Assertion;

    /// <summary>A token the validator accepts, as Keyward's proxy would mint it (for the seed corpus).</summary>
    public static string Mint(IDictionary<string, object>? extraClaims = null, string type = KeywardAssertionDefaults.TokenType)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [KeywardAssertionClaimTypes.Subject] = "user-7",
            [KeywardAssertionClaimTypes.SessionId] = "session-42",
            [KeywardAssertionClaimTypes.Name] = "alice",
            ["role"] = "admin",
        };
        foreach (var (name, value) in extraClaims ?? new Dictionary<string, object>())
        {
            claims[name] = value;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            // A descriptor audience would replace an "aud" claim given here (a seed with an audience array).
            Audience = claims.ContainsKey("aud") ? null : Audience,
            IssuedAt = Now.UtcDateTime,
            NotBefore = Now.UtcDateTime,
            Expires = Now.UtcDateTime.AddSeconds(60),
            Claims = claims,
            TokenType = type,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(Key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input) => _ = Accepts(Encoding.UTF8.GetString(input));

    /// <summary>True when the validator accepts <paramref name="token"/> (lets the suite check the seeds reach the signature).</summary>
    public bool Accepts(string token) => _validator.ValidateAsync(token, CancellationToken.None).GetAwaiter().GetResult().Succeeded;

    private static ECDsa LoadKey()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(FuzzOnlyPrivateKeyPem);
        return key;
    }

    private static string Jwks()
    {
        var p = Key.ExportParameters(includePrivateParameters: false);
        return $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"{{KeyId}}","use":"sig","alg":"ES256","x":"{{Base64UrlEncoder.Encode(p.Q.X)}}","y":"{{Base64UrlEncoder.Encode(p.Q.Y)}}"}]}""";
    }
}
