using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator.Tests;

/// <summary>A response JSON taken apart: the members, the authenticator data and, for registrations, the attestation object.</summary>
internal sealed class Decoded
{
    private Decoded(JsonElement root)
    {
        Root = root;
        Response = root.GetProperty("response");
        ClientDataJson = Bytes(Response, "clientDataJSON");
        ClientData = Encoding.UTF8.GetString(ClientDataJson);
        RawId = Bytes(root, "rawId");
    }

    public JsonElement Root { get; }

    public JsonElement Response { get; }

    public byte[] RawId { get; }

    public byte[] ClientDataJson { get; }

    public string ClientData { get; }

    public byte[] AuthenticatorDataBytes { get; private set; } = [];

    public AuthenticatorData AuthenticatorData { get; private set; } = null!;

    public string Format { get; private set; } = string.Empty;

    /// <summary>attStmt as (alg, sig); alg is null for an empty statement.</summary>
    public (int? Alg, byte[]? Sig) Statement { get; private set; }

    public int StatementEntries { get; private set; }

    public static Decoded Registration(string json)
    {
        var decoded = new Decoded(JsonDocument.Parse(json).RootElement.Clone());

        // Reading in Ctap2Canonical mode fails on any non-canonical encoding or key order.
        var reader = new CborReader(Bytes(decoded.Response, "attestationObject"), CborConformanceMode.Ctap2Canonical);
        Assert.Equal(3, reader.ReadStartMap());
        Assert.Equal("fmt", reader.ReadTextString());
        decoded.Format = reader.ReadTextString();
        Assert.Equal("attStmt", reader.ReadTextString());
        var entries = reader.ReadStartMap() ?? -1;
        decoded.StatementEntries = entries;
        if (entries == 2)
        {
            Assert.Equal("alg", reader.ReadTextString());
            var alg = reader.ReadInt32();
            Assert.Equal("sig", reader.ReadTextString());
            decoded.Statement = (alg, reader.ReadByteString());
        }

        reader.ReadEndMap();
        Assert.Equal("authData", reader.ReadTextString());
        decoded.AuthenticatorDataBytes = reader.ReadByteString();
        reader.ReadEndMap();
        Assert.Equal(CborReaderState.Finished, reader.PeekState());

        Assert.Equal(decoded.AuthenticatorDataBytes, Bytes(decoded.Response, "authenticatorData"));
        decoded.AuthenticatorData = AuthenticatorData.Parse(decoded.AuthenticatorDataBytes).Value;
        return decoded;
    }

    public static Decoded Assertion(string json)
    {
        var decoded = new Decoded(JsonDocument.Parse(json).RootElement.Clone());
        decoded.AuthenticatorDataBytes = Bytes(decoded.Response, "authenticatorData");
        decoded.AuthenticatorData = AuthenticatorData.Parse(decoded.AuthenticatorDataBytes).Value;
        return decoded;
    }

    public CosePublicKey CredentialPublicKey => AuthenticatorData.AttestedCredential!.PublicKey;

    public byte[] Member(string name) => Bytes(Response, name);

    /// <summary>authenticatorData ‖ SHA-256(clientDataJSON): what packed self attestation and assertions sign.</summary>
    public byte[] SignedBytes() => [.. AuthenticatorDataBytes, .. SHA256.HashData(ClientDataJson)];

    public static byte[] Bytes(JsonElement parent, string name)
    {
        Assert.True(Base64Url.TryDecode(parent.GetProperty(name).GetString(), out var bytes), $"{name} is not unpadded base64url");
        return bytes;
    }
}
