using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore;

/// <summary>
/// Verifies one identity assertion: form and header first (ES256, a kid, without touching the network), then the
/// signing key (refreshing the JWKS once for an unknown kid), then signature, issuer, audience, typ and lifetime
/// through <see cref="JsonWebTokenHandler"/>, then the claims Keyward always sets. Never sees an HttpContext.
/// </summary>
internal sealed class KeywardAssertionValidator
{
    /// <summary>Larger than any assertion Keyward mints by far; bounds the work an unauthenticated caller can ask for.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private readonly KeywardAssertionValidatorSettings _settings;
    private readonly ILogger _logger;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenLength, MapInboundClaims = false };
    private readonly LifetimeValidator _lifetime;

    public KeywardAssertionValidator(KeywardAssertionValidatorSettings settings, KeywardJwksCache cache, ILogger logger)
    {
        _settings = settings;
        Cache = cache;
        _logger = logger;
        _lifetime = AssertionLifetime.Create(settings.TimeProvider, settings.ClockSkew, settings.MaxLifetime);
    }

    public KeywardJwksCache Cache { get; }

    public async Task<AssertionValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenLength || !TryReadHeader(token, out var kid, out var algorithm, out var type))
        {
            return AssertionValidationResult.Fail(KeywardAssertionErrorCode.AssertionInvalid);
        }

        // Refuse alg "none", HS256 (a public key used as an HMAC secret) and every other algorithm before any key
        // lookup, so such tokens cannot even cause a JWKS fetch. ValidAlgorithms below enforces the same again.
        if (algorithm != KeywardAssertionDefaults.Algorithm || string.IsNullOrEmpty(kid))
        {
            return AssertionValidationResult.Fail(KeywardAssertionErrorCode.AssertionInvalid, kid);
        }

        // Kinds never mix: a capability token or any other JWT is refused by its typ before any key lookup.
        if (!string.Equals(type, KeywardAssertionDefaults.TokenType, StringComparison.Ordinal))
        {
            return AssertionValidationResult.Fail(KeywardAssertionErrorCode.AssertionWrongType, kid);
        }

        var keys = await Cache.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys is null)
        {
            // The fetch just failed (or failed less than the refresh interval ago): fetching again would not help.
            return AssertionValidationResult.Fail(KeywardAssertionErrorCode.KeysUnavailable, kid);
        }

        if (!keys.TryGetKey(kid, out var key))
        {
            // Keys rotate with overlap: the kid may be newer than the cached set.
            keys = await Cache.RefreshForUnknownKeyAsync(keys, kid, cancellationToken).ConfigureAwait(false);
            if (keys is null || !keys.TryGetKey(kid, out key))
            {
                return AssertionValidationResult.Fail(KeywardAssertionErrorCode.AssertionUntrustedKey, kid);
            }
        }

        var result = await _handler.ValidateTokenAsync(token, CreateParameters(key)).ConfigureAwait(false);
        if (!result.IsValid)
        {
            _logger.AssertionValidationException(LogSafe.Kid(kid), result.Exception?.GetType().Name ?? "unknown");
            return AssertionValidationResult.Fail(Map(result.Exception), kid);
        }

        // Explicit typing (RFC 8725 §3.11) goes down to the claims: IdentityModel converts a string iat, a fractional exp
        // or an aud array for us; Keyward never mints those, so a token that has them was not minted by Keyward's proxy.
        if (!HasExactClaimTypes(token))
        {
            return AssertionValidationResult.Fail(KeywardAssertionErrorCode.AssertionInvalid, kid);
        }

        var identity = result.ClaimsIdentity;
        if (string.IsNullOrEmpty(identity.FindFirst(KeywardAssertionClaimTypes.Subject)?.Value)
            || string.IsNullOrEmpty(identity.FindFirst(KeywardAssertionClaimTypes.SessionId)?.Value))
        {
            return AssertionValidationResult.Fail(KeywardAssertionErrorCode.AssertionInvalid, kid);
        }

        return AssertionValidationResult.Ok(identity, kid);
    }

    private bool TryReadHeader(string token, out string? kid, out string? algorithm, out string? type)
    {
        kid = algorithm = type = null;
        if (!_handler.CanReadToken(token))
        {
            // Stryker disable once Boolean,Block : equivalent, the out values are still null, so the alg check refuses the token with the same code
            return false;
        }

        try
        {
            var jwt = _handler.ReadJsonWebToken(token);
            if (jwt.IsEncrypted)
            {
                // Stryker disable once Boolean,Block : equivalent, the out values are still null, so the alg check refuses the token with the same code
                return false;
            }

            // RFC 7515 §4.1.11: a recipient must refuse a "crit" header naming extensions it does not understand, and
            // this one understands none (Keyward never sets it).
            if (jwt.TryGetHeaderValue<object>("crit", out _))
            {
                // Stryker disable once Boolean,Block : equivalent, the out values are still null, so the alg check refuses the token with the same code
                return false;
            }

            kid = jwt.Kid;
            algorithm = jwt.Alg;
            type = jwt.Typ;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // SecurityTokenMalformedException and friends derive from ArgumentException; a segment that is not base64url
            // (an invalid length, found by fuzzing) escapes ReadJsonWebToken as IDX10400, a FormatException.
            // Stryker disable once Boolean,Block : equivalent, the out values are still null, so the alg check refuses the token with the same code
            return false;
        }
    }

    // The payload as Keyward mints it: iss, aud, sub and sid strings; iat and exp (and nbf when present) integers.
    private static bool HasExactClaimTypes(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = token.IndexOf('.', first + 1);
        byte[] payload;
        try
        {
            payload = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(first + 1, second - first - 1));
        }
        catch (FormatException)
        {
            // Stryker disable once Boolean,Block : equivalent, JsonWebTokenHandler has already decoded and parsed this payload, so this branch is unreachable
            return false;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(payload);
            var root = document.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && IsString(root, JwtRegisteredClaimNames.Iss) && IsString(root, JwtRegisteredClaimNames.Aud)
                && IsString(root, JwtRegisteredClaimNames.Sub) && IsString(root, KeywardAssertionClaimTypes.SessionId)
                && IsInteger(root, JwtRegisteredClaimNames.Iat, required: true) && IsInteger(root, JwtRegisteredClaimNames.Exp, required: true)
                && IsInteger(root, JwtRegisteredClaimNames.Nbf, required: false);
        }
        catch (System.Text.Json.JsonException)
        {
            // Stryker disable once Boolean,Block : equivalent, JsonWebTokenHandler has already decoded and parsed this payload, so this branch is unreachable
            return false;
        }

        static bool IsString(System.Text.Json.JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String;

        static bool IsInteger(System.Text.Json.JsonElement root, string name, bool required) =>
            !root.TryGetProperty(name, out var value)
                ? !required
                : value.ValueKind == System.Text.Json.JsonValueKind.Number && value.TryGetInt64(out _) && !value.GetRawText().AsSpan().ContainsAny('.', 'e', 'E');
    }

    private TokenValidationParameters CreateParameters(SecurityKey key) => new()
    {
        ValidIssuer = _settings.Issuer,
        ValidateIssuer = true,
        ValidAudience = _settings.Audience,
        ValidateAudience = true,
        // Stryker disable once Boolean : equivalent, ValidateAudience refuses a token without aud with the same exception (and HasExactClaimTypes requires a string aud)
        RequireAudience = true,
        ValidTypes = [KeywardAssertionDefaults.TokenType],
        ValidAlgorithms = [KeywardAssertionDefaults.Algorithm],
        IssuerSigningKeys = [key],
        // Stryker disable once Boolean : equivalent, IssuerSigningKeys holds exactly the one key that the kid selected
        TryAllIssuerSigningKeys = false,
        // Stryker disable once Boolean : equivalent, the header check refuses every alg but ES256 before validation
        RequireSignedTokens = true,
        // Stryker disable once Boolean : equivalent, IdentityModel consults it only without a LifetimeValidator, and AssertionLifetime requires exp
        RequireExpirationTime = true,
        // Stryker disable once Boolean : equivalent, IdentityModel calls the LifetimeValidator delegate before it looks at ValidateLifetime
        ValidateLifetime = true,
        LifetimeValidator = _lifetime,
        ClockSkew = _settings.ClockSkew,
        NameClaimType = KeywardAssertionClaimTypes.Name,
        RoleClaimType = "role",
        AuthenticationType = _settings.AuthenticationType,
        // Stryker disable once Boolean : no observable effect, IdentityModel 8.23 leaves the principal's BootstrapContext null either way (Authenticate_ValidAssertion checks it)
        SaveSigninToken = false,
    };

    // Subclasses first: SecurityTokenExpiredException and SecurityTokenNotYetValidException both derive from
    // SecurityTokenValidationException, like everything else that falls through to "invalid".
    private static KeywardAssertionErrorCode Map(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => KeywardAssertionErrorCode.AssertionExpired,
        SecurityTokenNotYetValidException => KeywardAssertionErrorCode.AssertionNotYetValid,
        SecurityTokenInvalidAudienceException => KeywardAssertionErrorCode.AssertionWrongAudience,
        SecurityTokenInvalidIssuerException => KeywardAssertionErrorCode.AssertionWrongIssuer,
        SecurityTokenInvalidTypeException => KeywardAssertionErrorCode.AssertionWrongType,
        SecurityTokenSignatureKeyNotFoundException => KeywardAssertionErrorCode.AssertionUntrustedKey,
        _ => KeywardAssertionErrorCode.AssertionInvalid,
    };
}
