namespace Keyward.WebAuthn;

/// <summary>How strictly binary members of a response are decoded.</summary>
public enum Base64Policy
{
    /// <summary>Unpadded base64url only, as WebAuthn L3 <c>toJSON()</c> produces. The default.</summary>
    Strict = 0,

    /// <summary>
    /// Also accept the standard base64 alphabet with optional padding, as some older libraries and captured
    /// fixtures (Windows Hello TPM captures among them) use. The decoded bytes are verified the same way, so this
    /// only widens which spellings are read; it is off by default because no current browser needs it.
    /// </summary>
    AcceptStandardAlphabet = 1,
}
