namespace Keyward.WebAuthn;

/// <summary>A registered credential as the relying party stored it (the credential record of WebAuthn L3 §4).</summary>
public sealed record StoredCredential
{
    /// <summary>The credential id.</summary>
    public required byte[] CredentialId { get; init; }

    /// <summary>The COSE_Key bytes from registration.</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>The user handle (user.id) of the account that owns the credential.</summary>
    public required byte[] UserHandle { get; init; }

    /// <summary>The last signature counter seen.</summary>
    public uint SignCount { get; init; }

    /// <summary>BE at registration; null when unknown (records made before it was stored).</summary>
    public bool? BackupEligible { get; init; }
}
