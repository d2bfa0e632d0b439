using System.Security.Cryptography;
using System.Text.Json;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Cbor;

namespace Keyward.Fuzz;

/// <summary>
/// Cuts the WebAuthn seeds out of tests/vectors/webauthn: client data, attestation objects (with their client data
/// hash), authenticator data, COSE keys and raw CBOR. Files are named by content hash, so regenerating is idempotent
/// and identical byte strings from different cases are kept once.
/// </summary>
internal static class VectorSeeds
{
    /// <summary>Writes the seeds from every vector file in <paramref name="vectors"/> under <paramref name="corpus"/>.</summary>
    public static async Task<int> WriteAsync(string vectors, string corpus)
    {
        var written = 0;
        foreach (var file in Directory.EnumerateFiles(vectors, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(file).ConfigureAwait(false));
            foreach (var vector in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                written += await WriteCaseAsync(vector, corpus).ConfigureAwait(false);
            }
        }

        return written;
    }

    private static async Task<int> WriteCaseAsync(JsonElement vector, string corpus)
    {
        var written = 0;
        var response = vector.GetProperty("response").GetProperty("response");
        var clientData = Bytes(response, "clientDataJSON");
        if (clientData is not null)
        {
            written += await SaveAsync(corpus, "client-data", clientData).ConfigureAwait(false);
        }

        if (Bytes(vector, "credentialPublicKey") is { } storedKey)
        {
            written += await SaveAsync(corpus, "cose-key", storedKey).ConfigureAwait(false);
            written += await SaveAsync(corpus, "cbor", storedKey).ConfigureAwait(false);
        }

        if (Bytes(response, "authenticatorData") is { } assertionAuthData)
        {
            written += await SaveAsync(corpus, "authdata", assertionAuthData).ConfigureAwait(false);
        }

        if (Bytes(response, "attestationObject") is { } attestationObject && clientData is not null)
        {
            written += await SaveAsync(corpus, "cbor", attestationObject).ConfigureAwait(false);
            written += await SaveAsync(corpus, "attestation", [.. SHA256.HashData(clientData), .. attestationObject]).ConfigureAwait(false);
            var decoded = CborDecoder.Decode(attestationObject, CborLimits.Default);
            if (decoded.Succeeded && decoded.Value.TryGetBytes("authData", out var authData))
            {
                written += await SaveAsync(corpus, "authdata", authData).ConfigureAwait(false);
                if (AuthenticatorData.Parse(authData) is { Succeeded: true, Value.AttestedCredential: { } attested })
                {
                    written += await SaveAsync(corpus, "cose-key", attested.PublicKey.Encoded).ConfigureAwait(false);
                }
            }
        }

        return written;
    }

    // The vectors use base64url, and some older captures standard base64.
    private static byte[]? Bytes(JsonElement owner, string name)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            return null;
        }

        var standard = text.Replace('-', '+').Replace('_', '/').TrimEnd('=');
        return Convert.FromBase64String(standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '='));
    }

    private static async Task<int> SaveAsync(string corpus, string harness, byte[] bytes)
    {
        var folder = Directory.CreateDirectory(Path.Combine(corpus, harness)).FullName;
        var path = Path.Combine(folder, $"v-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}");
        if (File.Exists(path))
        {
            return 0;
        }

        await File.WriteAllBytesAsync(path, bytes).ConfigureAwait(false);
        return 1;
    }
}
