namespace Keyward.WebAuthn;

/// <summary>The flags byte of authenticator data (WebAuthn L3 §6.1).</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "WebAuthn names this byte 'flags'.")]
public enum AuthenticatorFlags : byte
{
    /// <summary>No flag set.</summary>
    None = 0,
    /// <summary>UP: the user was present.</summary>
    UserPresent = 0x01,
    /// <summary>UV: the user was verified (PIN, biometric).</summary>
    UserVerified = 0x04,
    /// <summary>BE: the credential may be backed up (a synced passkey).</summary>
    BackupEligible = 0x08,
    /// <summary>BS: the credential is backed up now.</summary>
    BackupState = 0x10,
    /// <summary>AT: attested credential data follows.</summary>
    AttestedCredentialData = 0x40,
    /// <summary>ED: extension outputs follow.</summary>
    ExtensionData = 0x80,
}
