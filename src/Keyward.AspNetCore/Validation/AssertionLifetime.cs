using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore;

/// <summary>
/// The lifetime rule, run by JsonWebTokenHandler in place of its own so that time comes from the injected
/// <see cref="TimeProvider"/>. An assertion must carry <c>exp</c> and <c>iat</c> (RFC 7519 §4.1.4, §4.1.6), may not
/// claim a lifetime above the bound, and is not valid before <c>nbf</c> or, since Keyward sets no <c>nbf</c>, before
/// <c>iat</c>. Each failure throws the IdentityModel exception that names it, which the verifier maps to a code.
/// </summary>
internal static class AssertionLifetime
{
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static LifetimeValidator Create(TimeProvider time, TimeSpan skew, TimeSpan maxLifetime) =>
        (notBefore, expires, token, _) =>
        {
            if (expires is not { } exp)
            {
                throw new SecurityTokenNoExpirationException("The assertion has no exp claim.");
            }

            if (token is not JsonWebToken jwt || !jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var iatSeconds))
            {
                throw new SecurityTokenInvalidLifetimeException("The assertion has no numeric iat claim.");
            }

            if (iatSeconds < 0 || iatSeconds > MaxUnixSeconds)
            {
                throw new SecurityTokenInvalidLifetimeException("The assertion's iat claim is out of range.");
            }

            var iat = DateTimeOffset.FromUnixTimeSeconds(iatSeconds).UtcDateTime;
            if (exp <= iat || exp - iat > maxLifetime)
            {
                throw new SecurityTokenInvalidLifetimeException("The assertion's lifetime (exp - iat) is not positive or exceeds the maximum.");
            }

            var now = time.GetUtcNow().UtcDateTime;
            var validFrom = notBefore ?? iat;
            if (validFrom > now + skew)
            {
                // Stryker disable once Initializer : equivalent, nothing reads NotBefore; the verifier maps the exception by its type
                throw new SecurityTokenNotYetValidException("The assertion is not valid yet.") { NotBefore = validFrom };
            }

            if (exp < now - skew)
            {
                // Stryker disable once Initializer : equivalent, nothing reads Expires; the verifier maps the exception by its type
                throw new SecurityTokenExpiredException("The assertion has expired.") { Expires = exp };
            }

            return true;
        };
}
