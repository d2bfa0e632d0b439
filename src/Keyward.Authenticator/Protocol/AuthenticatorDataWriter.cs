using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Keyward.WebAuthn;

namespace Keyward.Authenticator;

/// <summary>Builds authenticator data (WebAuthn L3 §6.1): rpIdHash ‖ flags ‖ signCount ‖ [attestedCredentialData].</summary>
internal static class AuthenticatorDataWriter
{
    /// <summary>Authenticator data for an assertion: no attested credential data, no extensions.</summary>
    public static byte[] ForAssertion(string rpId, AuthenticatorFlags flags, uint signCount)
    {
        var data = new byte[37];
        WriteHeader(data, rpId, flags, signCount);
        return data;
    }

    /// <summary>
    /// Authenticator data for a registration (AT set): the header, then attested credential data (§6.5.2)
    /// aaguid ‖ credentialIdLength (2 bytes, big-endian) ‖ credentialId ‖ credentialPublicKey (COSE_Key).
    /// </summary>
    public static byte[] ForRegistration(string rpId, AuthenticatorFlags flags, uint signCount, ReadOnlySpan<byte> aaguid, ReadOnlySpan<byte> credentialId, ReadOnlySpan<byte> coseKey)
    {
        var data = new byte[37 + 16 + 2 + credentialId.Length + coseKey.Length];
        WriteHeader(data, rpId, flags | AuthenticatorFlags.AttestedCredentialData, signCount);
        aaguid.CopyTo(data.AsSpan(37, 16));
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(53, 2), checked((ushort)credentialId.Length));
        credentialId.CopyTo(data.AsSpan(55));
        coseKey.CopyTo(data.AsSpan(55 + credentialId.Length));
        return data;
    }

    private static void WriteHeader(Span<byte> data, string rpId, AuthenticatorFlags flags, uint signCount)
    {
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId), data[..32]);
        data[32] = (byte)flags;
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(33, 4), signCount);
    }
}
