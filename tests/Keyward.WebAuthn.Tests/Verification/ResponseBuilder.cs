using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Keyward.WebAuthn.Tests.Verification;

/// <summary>
/// Builds WebAuthn responses field by field, including wrong ones, so each verification step can be tested
/// in isolation. Uses a real P-256 key; the defaults make a valid response.
/// </summary>
internal sealed class ResponseBuilder : IDisposable
{
    public const string RpId = "example.org";
    public const string Origin = "https://example.org";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    public byte[] UserHandle { get; } = RandomNumberGenerator.GetBytes(16);

    public byte[] Challenge { get; } = RandomNumberGenerator.GetBytes(32);

    // Client data
    public string Type { get; set; } = "webauthn.get";
    public string? ChallengeText { get; set; }
    public string ClientOrigin { get; set; } = Origin;
    public bool? CrossOrigin { get; set; } = false;
    public string? TopOrigin { get; set; }
    public string? TokenBindingJson { get; set; }
    public string? RawClientData { get; set; }

    // Authenticator data
    public string AuthRpId { get; set; } = RpId;
    public AuthenticatorFlags Flags { get; set; } = AuthenticatorFlags.UserPresent | AuthenticatorFlags.UserVerified;
    public uint SignCount { get; set; } = 5;
    public byte[] TrailingAuthData { get; set; } = [];
    public byte[]? CredentialIdInAuthData { get; set; }
    public bool AttestedInAssertion { get; set; }

    // Response
    public bool TamperSignature { get; set; }
    public byte[]? ResponseUserHandle { get; set; }
    public byte[]? RawIdOverride { get; set; }
    public int Algorithm { get; set; } = -7;
    public string Format { get; set; } = "none";
    public byte[]? AttestationObjectOverride { get; set; }

    // Encodings that CTAP2 canonical form forbids (CTAP 2.1 §8), for the refusal tests.
    public bool IndefiniteLengthKeyMap { get; set; }
    public bool ChunkedKeyX { get; set; }

    public byte[] CoseKey()
    {
        var p = _key.ExportParameters(false);
        var canonical = !IndefiniteLengthKeyMap && !ChunkedKeyX;
        var w = new CborWriter(canonical ? CborConformanceMode.Ctap2Canonical : CborConformanceMode.Lax);
        w.WriteStartMap(IndefiniteLengthKeyMap ? null : 5);
        w.WriteInt32(1);
        w.WriteInt32(2);
        w.WriteInt32(3);
        w.WriteInt32(Algorithm);
        w.WriteInt32(-1);
        w.WriteInt32(1);
        w.WriteInt32(-2);
        if (ChunkedKeyX)
        {
            w.WriteStartIndefiniteLengthByteString();
            w.WriteByteString(p.Q.X.AsSpan(0, 16));
            w.WriteByteString(p.Q.X.AsSpan(16));
            w.WriteEndIndefiniteLengthByteString();
        }
        else
        {
            w.WriteByteString(p.Q.X!);
        }

        w.WriteInt32(-3);
        w.WriteByteString(p.Q.Y!);
        w.WriteEndMap();
        return w.Encode();
    }

    public StoredCredential Stored(uint signCount = 4, bool? backupEligible = false) => new()
    {
        CredentialId = CredentialId,
        PublicKey = CoseKey(),
        UserHandle = UserHandle,
        SignCount = signCount,
        BackupEligible = backupEligible,
    };

    public byte[] ClientDataJson()
    {
        if (RawClientData is not null)
        {
            return Encoding.UTF8.GetBytes(RawClientData);
        }

        var sb = new StringBuilder();
        sb.Append("{\"type\":\"").Append(Type).Append("\",\"challenge\":\"").Append(ChallengeText ?? Base64Url.Encode(Challenge))
          .Append("\",\"origin\":\"").Append(ClientOrigin).Append('"');
        if (CrossOrigin is { } co)
        {
            sb.Append(",\"crossOrigin\":").Append(co ? "true" : "false");
        }

        if (TopOrigin is not null)
        {
            sb.Append(",\"topOrigin\":\"").Append(TopOrigin).Append('"');
        }

        if (TokenBindingJson is not null)
        {
            sb.Append(",\"tokenBinding\":").Append(TokenBindingJson);
        }

        return Encoding.UTF8.GetBytes(sb.Append('}').ToString());
    }

    public byte[] AuthenticatorData(bool attested)
    {
        var flags = Flags | (attested ? AuthenticatorFlags.AttestedCredentialData : 0);
        var data = new List<byte>();
        data.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes(AuthRpId)));
        data.Add((byte)flags);
        var count = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(count, SignCount);
        data.AddRange(count);
        if (attested)
        {
            var id = CredentialIdInAuthData ?? CredentialId;
            data.AddRange(new byte[16]);
            data.Add((byte)(id.Length >> 8));
            data.Add((byte)id.Length);
            data.AddRange(id);
            data.AddRange(CoseKey());
        }

        data.AddRange(TrailingAuthData);
        return [.. data];
    }

    public byte[] AttestationObject(byte[] authData)
    {
        if (AttestationObjectOverride is not null)
        {
            return AttestationObjectOverride;
        }

        var w = new CborWriter(CborConformanceMode.Ctap2Canonical);
        w.WriteStartMap(3);
        w.WriteTextString("fmt");
        w.WriteTextString(Format);
        w.WriteTextString("attStmt");
        w.WriteStartMap(0);
        w.WriteEndMap();
        w.WriteTextString("authData");
        w.WriteByteString(authData);
        w.WriteEndMap();
        return w.Encode();
    }

    public RegistrationCredential Registration()
    {
        var parsed = RegistrationCredential.Parse(RegistrationJson().ToJsonString());
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());
        return parsed.Value;
    }

    /// <summary>The registration response as the browser's <c>toJSON()</c> object (type webauthn.create unless set otherwise).</summary>
    public JsonObject RegistrationJson()
    {
        Type = Type == "webauthn.get" ? "webauthn.create" : Type;
        return new JsonObject
        {
            ["id"] = Base64Url.Encode(RawIdOverride ?? CredentialId),
            ["rawId"] = Base64Url.Encode(RawIdOverride ?? CredentialId),
            ["type"] = "public-key",
            ["response"] = new JsonObject
            {
                ["clientDataJSON"] = Base64Url.Encode(ClientDataJson()),
                ["attestationObject"] = Base64Url.Encode(AttestationObject(AuthenticatorData(attested: true))),
            },
        };
    }

    public AuthenticationCredential Assertion()
    {
        var parsed = AuthenticationCredential.Parse(AssertionJson().ToJsonString());
        Assert.True(parsed.Succeeded, parsed.Failure?.ToString());
        return parsed.Value;
    }

    /// <summary>The signed assertion as the browser's <c>toJSON()</c> object.</summary>
    public JsonObject AssertionJson()
    {
        var clientData = ClientDataJson();
        var authData = AuthenticatorData(attested: AttestedInAssertion);
        var signature = _key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (TamperSignature)
        {
            signature[^1] ^= 0x01;
        }

        var response = new JsonObject
        {
            ["clientDataJSON"] = Base64Url.Encode(clientData),
            ["authenticatorData"] = Base64Url.Encode(authData),
            ["signature"] = Base64Url.Encode(signature),
        };
        if (ResponseUserHandle is not null)
        {
            response["userHandle"] = Base64Url.Encode(ResponseUserHandle);
        }

        return new JsonObject
        {
            ["id"] = Base64Url.Encode(RawIdOverride ?? CredentialId),
            ["rawId"] = Base64Url.Encode(RawIdOverride ?? CredentialId),
            ["type"] = "public-key",
            ["response"] = response,
        };
    }

    public void Dispose() => _key.Dispose();
}
