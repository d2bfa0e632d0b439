using System.Formats.Cbor;
using System.Security.Cryptography;

namespace Keyward.Authenticator;

/// <summary>Builds the attestationObject (WebAuthn L3 §6.5.4) as CTAP2 canonical CBOR: {"fmt", "attStmt", "authData"}.</summary>
internal static class AttestationObjectWriter
{
    /// <summary>fmt "none" (§8.7): an empty attStmt.</summary>
    public static byte[] None(byte[] authenticatorData) => Write("none", authenticatorData, statement: null);

    /// <summary>
    /// fmt "packed" self attestation (§8.2): attStmt {alg, sig}, where sig is made with the credential private key
    /// over authenticatorData ‖ SHA-256(clientDataJSON), and alg is the credential's algorithm.
    /// </summary>
    public static byte[] PackedSelf(byte[] authenticatorData, byte[] clientDataJson, CredentialKey key)
    {
        var signature = key.Sign([.. authenticatorData, .. SHA256.HashData(clientDataJson)]);
        return Write("packed", authenticatorData, (w) =>
        {
            w.WriteStartMap(2);
            w.WriteTextString("alg");
            w.WriteInt32((int)key.Algorithm);
            w.WriteTextString("sig");
            w.WriteByteString(signature);
            w.WriteEndMap();
        });
    }

    private static byte[] Write(string format, byte[] authenticatorData, Action<CborWriter>? statement)
    {
        // CTAP2 canonical order sorts text keys by length first: "fmt" < "attStmt" < "authData".
        var writer = new CborWriter(CborConformanceMode.Ctap2Canonical);
        writer.WriteStartMap(3);
        writer.WriteTextString("fmt");
        writer.WriteTextString(format);
        writer.WriteTextString("attStmt");
        if (statement is null)
        {
            writer.WriteStartMap(0);
            writer.WriteEndMap();
        }
        else
        {
            statement(writer);
        }

        writer.WriteTextString("authData");
        writer.WriteByteString(authenticatorData);
        writer.WriteEndMap();
        return writer.Encode();
    }
}
