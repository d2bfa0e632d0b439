namespace Keyward.Authenticator;

/// <summary>
/// Every expected way a virtual authenticator operation can fail, modelled on the CTAP2 status codes and the
/// DOMException a browser would raise. Each value has a stable snake_case code (see
/// <see cref="AuthenticatorErrors.Code"/>): never renumber, never reuse.
/// </summary>
public enum AuthenticatorError
{
    /// <summary>The options JSON is not a well-formed PublicKeyCredentialCreationOptionsJSON or RequestOptionsJSON (a browser's TypeError).</summary>
    MalformedOptions = 1,

    /// <summary>The RP ID is not the origin's host or a parent domain of it, or the origin is not secure (a browser's SecurityError).</summary>
    SecurityError,

    /// <summary>None of the offered pubKeyCredParams is supported (CTAP2_ERR_UNSUPPORTED_ALGORITHM, NotSupportedError).</summary>
    UnsupportedAlgorithm,

    /// <summary>The key already holds a credential from excludeCredentials for this RP (CTAP2_ERR_CREDENTIAL_EXCLUDED, InvalidStateError).</summary>
    CredentialExcluded,

    /// <summary>The key holds no usable credential for this RP and allow list (CTAP2_ERR_NO_CREDENTIALS, NotAllowedError).</summary>
    NoCredentials,

    /// <summary>The user did not consent: user verification was required and failed or is unsupported, or no credential was chosen (NotAllowedError).</summary>
    NotAllowed,

    /// <summary>The key file cannot be decrypted: the passphrase is wrong or the file was modified.</summary>
    KeyFileUnreadable,

    /// <summary>The file is not a Keyward virtual key file, or its format version is not supported.</summary>
    KeyFileInvalid,
}
