using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>One registration vector: the raw attestation object and client data, trust anchors and the pinned clock.</summary>
internal sealed record AttestationVectorCase(
    string Id,
    string Fmt,
    string Result,
    byte[] AttestationObject,
    byte[] ClientDataJson,
    byte[][] TrustAnchorsDer,
    DateTimeOffset? VerificationTime)
{
    /// <summary>The pinned verification time, or now for vectors whose certificates are still valid.</summary>
    public DateTimeOffset Time => VerificationTime ?? TimeProvider.System.GetUtcNow();

    public CborValue Statement => DecodeObject().TryGet("attStmt", out var s) ? s : throw new InvalidDataException("no attStmt");

    public byte[] AuthenticatorData => DecodeObject().TryGetBytes("authData", out var b) ? b : throw new InvalidDataException("no authData");

    public byte[] ClientDataHash => SHA256.HashData(ClientDataJson);

    /// <summary>The format input exactly as the vector gives it.</summary>
    public AttestationInput Input() => Input(Statement);

    /// <summary>The format input with a replaced attStmt.</summary>
    public AttestationInput Input(CborValue statement) => Input(statement, AuthenticatorData, ClientDataHash);

    public AttestationInput Input(CborValue statement, byte[] authenticatorData, byte[] clientDataHash)
    {
        var parsed = Keyward.WebAuthn.AuthenticatorData.Parse(authenticatorData);
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());
        return new AttestationInput(statement, parsed.Value, clientDataHash, Time);
    }

    public X509Certificate2[] Anchors() => [.. TrustAnchorsDer.Select(d => X509CertificateLoader.LoadCertificate(d))];

    private CborValue DecodeObject()
    {
        var cbor = CborDecoder.Decode(AttestationObject, CborLimits.Default);
        Assert.True(cbor.Succeeded, cbor.Failure?.ToString());
        return cbor.Value;
    }
}
