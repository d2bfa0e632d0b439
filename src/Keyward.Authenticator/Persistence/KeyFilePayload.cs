using System.Security.Cryptography;
using System.Text.Json;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator;

/// <summary>
/// The plaintext inside a key file: <c>{"version":1,"options":{…},"credentials":[…]}</c>. Binary members are
/// standard base64, written and read straight from and to byte arrays so that private keys never become
/// strings; private keys are PKCS#8 for ES256 and the 32-byte seed for Ed25519.
/// </summary>
internal static class KeyFilePayload
{
    private const int Version = 1;

    public static void Write(ZeroingBufferWriter buffer, VirtualAuthenticatorOptions options, IEnumerable<VirtualCredential> credentials)
    {
        using var w = new Utf8JsonWriter(buffer);
        w.WriteStartObject();
        w.WriteNumber("version", Version);
        w.WriteStartObject("options");
        w.WriteBase64String("aaguid", options.Aaguid);
        w.WriteString("attestation", options.Attestation == VirtualAttestation.PackedSelf ? "packed-self" : "none");
        w.WriteBoolean("userVerificationCapable", options.UserVerificationCapable);
        w.WriteBoolean("userVerified", options.UserVerified);
        w.WriteString("signCounter", options.SignCounter == SignCounterMode.Zero ? "zero" : "increment");
        w.WriteBoolean("backupEligible", options.BackupEligible);
        w.WriteBoolean("backedUp", options.BackedUp);
        w.WriteNumber("keyFileIterations", options.KeyFileIterations);
        w.WriteBoolean("dangerousSkipOriginCheck", options.DangerousSkipOriginCheck);
        w.WriteEndObject();
        w.WriteStartArray("credentials");
        foreach (var c in credentials)
        {
            w.WriteStartObject();
            w.WriteBase64String("id", c.Id);
            w.WriteString("rpId", c.RpId);
            w.WriteBase64String("userHandle", c.UserHandle);
            w.WriteString("userName", c.UserName);
            w.WriteString("userDisplayName", c.UserDisplayName);
            w.WriteBoolean("discoverable", c.Discoverable);
            w.WriteBoolean("backupEligible", c.BackupEligible);
            w.WriteNumber("algorithm", (int)c.Key.Algorithm);
            w.WriteNumber("signCount", c.SignCount);
            w.WriteBase64String("privateKey", c.Key.PrivateKey);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static AuthenticatorResult<(VirtualAuthenticatorOptions Options, List<VirtualCredential> Credentials)> Read(ReadOnlyMemory<byte> plaintext)
    {
        var credentials = new List<VirtualCredential>();
        try
        {
            using var document = JsonDocument.Parse(plaintext, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != Version)
            {
                return Invalid("unknown payload version");
            }

            var o = root.GetProperty("options");
            var options = new VirtualAuthenticatorOptions
            {
                Aaguid = o.GetProperty("aaguid").GetBytesFromBase64(),
                Attestation = o.GetProperty("attestation").GetString() switch
                {
                    "packed-self" => VirtualAttestation.PackedSelf,
                    "none" => VirtualAttestation.None,
                    _ => throw new FormatException(),
                },
                UserVerificationCapable = o.GetProperty("userVerificationCapable").GetBoolean(),
                UserVerified = o.GetProperty("userVerified").GetBoolean(),
                SignCounter = o.GetProperty("signCounter").GetString() switch
                {
                    "increment" => SignCounterMode.Increment,
                    "zero" => SignCounterMode.Zero,
                    _ => throw new FormatException(),
                },
                BackupEligible = o.GetProperty("backupEligible").GetBoolean(),
                BackedUp = o.GetProperty("backedUp").GetBoolean(),
                KeyFileIterations = o.GetProperty("keyFileIterations").GetInt32(),
                DangerousSkipOriginCheck = o.GetProperty("dangerousSkipOriginCheck").GetBoolean(),
            };

            if (options.Validate().Count > 0)
            {
                return Invalid("the saved options are invalid");
            }

            foreach (var c in root.GetProperty("credentials").EnumerateArray())
            {
                var algorithm = (CoseAlgorithm)c.GetProperty("algorithm").GetInt32();
                var privateKey = c.GetProperty("privateKey").GetBytesFromBase64();
                var key = CredentialKey.Import(algorithm, privateKey);
                CryptographicOperations.ZeroMemory(privateKey);
                if (key is null)
                {
                    return Invalid($"a {algorithm} private key cannot be imported");
                }

                credentials.Add(new VirtualCredential
                {
                    Id = c.GetProperty("id").GetBytesFromBase64(),
                    RpId = c.GetProperty("rpId").GetString() ?? throw new FormatException(),
                    UserHandle = c.GetProperty("userHandle").GetBytesFromBase64(),
                    UserName = c.GetProperty("userName").GetString() ?? throw new FormatException(),
                    UserDisplayName = c.GetProperty("userDisplayName").GetString() ?? throw new FormatException(),
                    Discoverable = c.GetProperty("discoverable").GetBoolean(),
                    BackupEligible = c.GetProperty("backupEligible").GetBoolean(),
                    Key = key,
                    SignCount = c.GetProperty("signCount").GetUInt32(),
                });
            }

            return AuthenticatorResult<(VirtualAuthenticatorOptions, List<VirtualCredential>)>.Ok((options, credentials));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            foreach (var credential in credentials)
            {
                credential.Key.Destroy();
            }

            return Invalid("the decrypted payload is malformed");
        }
    }

    private static AuthenticatorResult<(VirtualAuthenticatorOptions, List<VirtualCredential>)> Invalid(string detail) =>
        AuthenticatorResult<(VirtualAuthenticatorOptions, List<VirtualCredential>)>.Fail(AuthenticatorError.KeyFileInvalid, detail);
}
