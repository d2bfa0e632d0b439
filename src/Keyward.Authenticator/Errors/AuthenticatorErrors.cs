using System.Collections.Frozen;

namespace Keyward.Authenticator;

/// <summary>The message table for <see cref="AuthenticatorError"/>: a stable code and a plain message for each error.</summary>
public static class AuthenticatorErrors
{
    private static readonly FrozenDictionary<AuthenticatorError, (string Code, string Message)> Table =
        new Dictionary<AuthenticatorError, (string Code, string Message)>
        {
            [AuthenticatorError.MalformedOptions] = ("malformed_options", "The relying party's options are not valid WebAuthn JSON."),
            [AuthenticatorError.SecurityError] = ("security_error", "The RP ID does not belong to the origin, or the origin is not secure."),
            [AuthenticatorError.UnsupportedAlgorithm] = ("unsupported_algorithm", "None of the offered algorithms is supported; the virtual key supports ES256 (-7), EdDSA (-8) and Ed25519 (-19)."),
            [AuthenticatorError.CredentialExcluded] = ("credential_excluded", "The key already holds a credential that the relying party excluded."),
            [AuthenticatorError.NoCredentials] = ("no_credentials", "The key holds no credential for this relying party."),
            [AuthenticatorError.NotAllowed] = ("not_allowed", "The operation was not allowed: user verification failed or no credential was chosen."),
            [AuthenticatorError.KeyFileUnreadable] = ("key_file_unreadable", "The key file cannot be opened: wrong passphrase or the file was modified."),
            [AuthenticatorError.KeyFileInvalid] = ("key_file_invalid", "The file is not a Keyward virtual key file, or its format is not supported."),
        }.ToFrozenDictionary();

    /// <summary>The stable snake_case code for an error.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The code, e.g. <c>credential_excluded</c>.</returns>
    public static string Code(AuthenticatorError error) => Table[error].Code;

    /// <summary>The plain message for an error.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The message.</returns>
    public static string Message(AuthenticatorError error) => Table[error].Message;

    /// <summary>All errors, for documentation and tests.</summary>
    public static IEnumerable<AuthenticatorError> All => Table.Keys;
}
