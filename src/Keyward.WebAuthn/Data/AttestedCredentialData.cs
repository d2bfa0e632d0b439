using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>The attested credential data in registration authenticator data (WebAuthn L3 §6.5.2).</summary>
/// <param name="Aaguid">The authenticator model's AAGUID (16 bytes).</param>
/// <param name="CredentialId">The new credential's id.</param>
/// <param name="PublicKey">The credential public key, decoded and validated.</param>
public sealed record AttestedCredentialData(byte[] Aaguid, byte[] CredentialId, CosePublicKey PublicKey);
