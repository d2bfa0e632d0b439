namespace Keyward.Authenticator;

/// <summary>
/// How a <see cref="VirtualAuthenticator"/> behaves. Immutable; every member has a default that models a
/// CTAP2 security key with a PIN. Call <see cref="Validate"/> to collect every problem at once
/// (<see cref="VirtualAuthenticator.Create"/> does).
/// </summary>
public sealed record VirtualAuthenticatorOptions
{
    /// <summary>PBKDF2 iterations used when saving a key file (OWASP 2023 for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultKeyFileIterations = 600_000;

    /// <summary>The fewest PBKDF2 iterations accepted, for tests only; real key files should keep the default.</summary>
    public const int MinimumKeyFileIterations = 1_000;

    /// <summary>The most PBKDF2 iterations accepted (also the limit a key file may demand when loaded).</summary>
    public const int MaximumKeyFileIterations = 10_000_000;

    /// <summary>The Keyward virtual key's AAGUID, 161b0d53-7376-4ecd-9b30-2a46174d2a1b (a fresh copy on every read).</summary>
    public static byte[] DefaultAaguid =>
        [0x16, 0x1B, 0x0D, 0x53, 0x73, 0x76, 0x4E, 0xCD, 0x9B, 0x30, 0x2A, 0x46, 0x17, 0x4D, 0x2A, 0x1B];

    /// <summary>The authenticator model's AAGUID (16 bytes), written into attested credential data.</summary>
    public byte[] Aaguid { get; init; } = DefaultAaguid;

    /// <summary>The attestation statement produced at registration.</summary>
    /// <remarks>
    /// The virtual key plays the browser too, so it applies WebAuthn L3 §5.1.3: when the relying party asks for
    /// attestation "none" (or says nothing), a packed self attestation from a key with a non-zero AAGUID is
    /// replaced by fmt "none" with an empty attStmt (the AAGUID is kept). Relying parties that want to see
    /// the packed statement ask for "direct" or "indirect".
    /// </remarks>
    public VirtualAttestation Attestation { get; init; } = VirtualAttestation.PackedSelf;

    /// <summary>Whether the key can verify its user (a PIN or biometric is set up).</summary>
    public bool UserVerificationCapable { get; init; } = true;

    /// <summary>Whether a user verification gesture succeeds when one is attempted.</summary>
    public bool UserVerified { get; init; } = true;

    /// <summary>How signature counters are kept.</summary>
    public SignCounterMode SignCounter { get; init; } = SignCounterMode.Increment;

    /// <summary>Whether new credentials are backup eligible (BE, a synced passkey). Fixed per credential at creation.</summary>
    public bool BackupEligible { get; init; }

    /// <summary>Whether backup-eligible credentials report that they are backed up now (BS). Requires <see cref="BackupEligible"/>.</summary>
    public bool BackedUp { get; init; }

    /// <summary>PBKDF2-HMAC-SHA256 iterations used by <see cref="VirtualAuthenticator.Save"/>; lower only in tests.</summary>
    public int KeyFileIterations { get; init; } = DefaultKeyFileIterations;

    /// <summary>
    /// Skip the browser's checks that the origin is secure and that the RP ID is its host or a parent domain,
    /// and use the origin text verbatim. Only for negative tests of relying parties: no browser does this.
    /// </summary>
    public bool DangerousSkipOriginCheck { get; init; }

    /// <summary>Returns every problem with the options, each saying how to fix it; empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Aaguid is null || Aaguid.Length != 16)
        {
            errors.Add("Aaguid must be exactly 16 bytes.");
        }

        if (!Enum.IsDefined(Attestation))
        {
            errors.Add("Attestation must be None or PackedSelf.");
        }

        if (!Enum.IsDefined(SignCounter))
        {
            errors.Add("SignCounter must be Increment or Zero.");
        }

        if (BackedUp && !BackupEligible)
        {
            errors.Add("BackedUp requires BackupEligible (WebAuthn L3 §6.1: BS without BE is invalid).");
        }

        if (KeyFileIterations is < MinimumKeyFileIterations or > MaximumKeyFileIterations)
        {
            errors.Add($"KeyFileIterations must be between {MinimumKeyFileIterations} and {MaximumKeyFileIterations} ({DefaultKeyFileIterations} recommended).");
        }

        return errors;
    }
}
