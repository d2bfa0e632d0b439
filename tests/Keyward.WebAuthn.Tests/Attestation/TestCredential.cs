using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;

namespace Keyward.WebAuthn.Tests.Attestation;

/// <summary>
/// A software authenticator's credential for synthetic attestation tests: a P-256 (ES256) or RSA-2048 (RS256) key,
/// the authenticator data that carries it, and a random clientDataHash.
/// </summary>
internal sealed class TestCredential : IDisposable
{
    private TestCredential(ECDsa? ec, RSA? rsa, byte[] aaguid)
    {
        Ec = ec;
        Rsa = rsa;
        Aaguid = aaguid;
        AuthenticatorData = BuildAuthenticatorData();
    }

    public ECDsa? Ec { get; }

    public RSA? Rsa { get; }

    public byte[] Aaguid { get; }

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    public byte[] ClientDataHash { get; } = RandomNumberGenerator.GetBytes(32);

    public byte[] AuthenticatorData { get; }

    /// <summary>The AAGUID the synthetic tests use unless they say otherwise.</summary>
    public static byte[] DefaultAaguid { get; } = Convert.FromHexString("0102030405060708090a0b0c0d0e0f10");

    public static TestCredential CreateEc(byte[]? aaguid = null) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), null, aaguid ?? DefaultAaguid);

    public static TestCredential CreateRsa(byte[]? aaguid = null) => new(null, RSA.Create(2048), aaguid ?? DefaultAaguid);

    /// <summary>authenticatorData ‖ clientDataHash.</summary>
    public byte[] SignedBytes => [.. AuthenticatorData, .. ClientDataHash];

    public AttestationInput Input(CborValue statement, DateTimeOffset? time = null)
    {
        var parsed = Keyward.WebAuthn.AuthenticatorData.Parse(AuthenticatorData);
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());
        return new AttestationInput(statement, parsed.Value, ClientDataHash, time ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    public void Dispose()
    {
        Ec?.Dispose();
        Rsa?.Dispose();
    }

    private byte[] BuildAuthenticatorData()
    {
        // rpIdHash ‖ flags (UP, UV, AT) ‖ signCount ‖ AAGUID ‖ credentialIdLength ‖ credentialId ‖ COSE key
        var header = new byte[37];
        SHA256.HashData(Encoding.UTF8.GetBytes("example.org")).CopyTo(header, 0);
        header[32] = 0x45;
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)CredentialId.Length);
        return [.. header, .. Aaguid, .. length, .. CredentialId, .. CoseKey()];
    }

    private byte[] CoseKey()
    {
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        if (Ec is not null)
        {
            var p = Ec.ExportParameters(false);
            writer.WriteStartMap(5);
            writer.WriteInt32(1);
            writer.WriteInt32(2);
            writer.WriteInt32(3);
            writer.WriteInt32(-7);
            writer.WriteInt32(-1);
            writer.WriteInt32(1);
            writer.WriteInt32(-2);
            writer.WriteByteString(p.Q.X!);
            writer.WriteInt32(-3);
            writer.WriteByteString(p.Q.Y!);
        }
        else
        {
            var p = Rsa!.ExportParameters(false);
            writer.WriteStartMap(4);
            writer.WriteInt32(1);
            writer.WriteInt32(3);
            writer.WriteInt32(3);
            writer.WriteInt32(-257);
            writer.WriteInt32(-1);
            writer.WriteByteString(p.Modulus!);
            writer.WriteInt32(-2);
            writer.WriteByteString(p.Exponent!);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }
}
