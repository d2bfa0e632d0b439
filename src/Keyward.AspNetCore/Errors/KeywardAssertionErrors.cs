using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Keyward.AspNetCore;

/// <summary>The one table of stable error codes, HTTP statuses and plain messages for <see cref="KeywardAssertionErrorCode"/>.</summary>
public static class KeywardAssertionErrors
{
    private static readonly FrozenDictionary<KeywardAssertionErrorCode, (string Code, int Status, string Message)> Table =
        new Dictionary<KeywardAssertionErrorCode, (string, int, string)>
        {
            [KeywardAssertionErrorCode.AssertionMissing] = ("assertion_missing", StatusCodes.Status401Unauthorized, "This service accepts requests only through Keyward: the Keyward-Assertion header is missing."),
            [KeywardAssertionErrorCode.AssertionInvalid] = ("assertion_invalid", StatusCodes.Status401Unauthorized, "The Keyward assertion is malformed, is not signed with ES256 by Keyward, or lacks a required claim."),
            [KeywardAssertionErrorCode.AssertionExpired] = ("assertion_expired", StatusCodes.Status401Unauthorized, "The Keyward assertion has expired; retry the request through Keyward, and check that the clocks agree."),
            [KeywardAssertionErrorCode.AssertionNotYetValid] = ("assertion_not_yet_valid", StatusCodes.Status401Unauthorized, "The Keyward assertion is not valid yet; check that this host's clock agrees with Keyward's."),
            [KeywardAssertionErrorCode.AssertionWrongAudience] = ("assertion_wrong_audience", StatusCodes.Status401Unauthorized, "The Keyward assertion was issued for another service (its audience is not this service's route id)."),
            [KeywardAssertionErrorCode.AssertionWrongIssuer] = ("assertion_wrong_issuer", StatusCodes.Status401Unauthorized, "The Keyward assertion was issued by an authority this service does not trust."),
            [KeywardAssertionErrorCode.AssertionWrongType] = ("assertion_wrong_type", StatusCodes.Status401Unauthorized, "The token is not a Keyward identity assertion (its typ header is not kw-id+jwt)."),
            [KeywardAssertionErrorCode.AssertionUntrustedKey] = ("assertion_untrusted_key", StatusCodes.Status401Unauthorized, "The Keyward assertion is signed with a key that Keyward does not publish."),
            [KeywardAssertionErrorCode.KeysUnavailable] = ("assertion_keys_unavailable", StatusCodes.Status503ServiceUnavailable, "This service cannot fetch Keyward's signing keys, so it cannot verify the assertion; retry later."),
            [KeywardAssertionErrorCode.AccessDenied] = ("access_denied", StatusCodes.Status403Forbidden, "The account is authenticated but may not use this resource."),
        }.ToFrozenDictionary();

    /// <summary>The stable snake_case code for an error, as sent in the problem+json <c>code</c> member.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The code.</returns>
    public static string Code(KeywardAssertionErrorCode error) => Table[error].Code;

    /// <summary>The HTTP status a refusal with this error is answered with.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The status code.</returns>
    public static int Status(KeywardAssertionErrorCode error) => Table[error].Status;

    /// <summary>The plain message for an error; it never contains a token or any other secret.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The message.</returns>
    public static string Message(KeywardAssertionErrorCode error) => Table[error].Message;

    /// <summary>All errors, for documentation and tests.</summary>
    public static IEnumerable<KeywardAssertionErrorCode> All => Table.Keys;

    /// <summary>Finds the error with a given code.</summary>
    /// <param name="code">A snake_case code.</param>
    /// <param name="error">The error, when found.</param>
    /// <returns>Whether the code is known.</returns>
    public static bool TryParse(string? code, out KeywardAssertionErrorCode error)
    {
        foreach (var (key, value) in Table)
        {
            if (string.Equals(value.Code, code, StringComparison.Ordinal))
            {
                error = key;
                return true;
            }
        }

        error = default;
        return false;
    }
}
