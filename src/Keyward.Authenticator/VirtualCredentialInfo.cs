using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator;

/// <summary>What a virtual key shows about one of its credentials. Never the private key.</summary>
public sealed record VirtualCredentialInfo
{
    /// <summary>The credential id.</summary>
    public required byte[] CredentialId { get; init; }

    /// <summary>The RP ID the credential is scoped to.</summary>
    public required string RpId { get; init; }

    /// <summary>The user handle (user.id at creation).</summary>
    public required byte[] UserHandle { get; init; }

    /// <summary>user.name at creation.</summary>
    public required string UserName { get; init; }

    /// <summary>user.displayName at creation.</summary>
    public required string UserDisplayName { get; init; }

    /// <summary>The credential's signature algorithm.</summary>
    public required CoseAlgorithm Algorithm { get; init; }

    /// <summary>The credential public key as COSE_Key bytes, exactly as in the attested credential data.</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>The signature counter of the last assertion (0 before any).</summary>
    public required uint SignCount { get; init; }

    /// <summary>True for a discoverable (resident) credential, usable without an allow list.</summary>
    public required bool Discoverable { get; init; }

    /// <summary>BE as reported at creation.</summary>
    public required bool BackupEligible { get; init; }

    /// <summary>The credential id as unpadded base64url, as in the <c>id</c> member of responses.</summary>
    public string Id => Base64Url.Encode(CredentialId);
}
