using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Capabilities;

/// <summary>
/// The ES256 keys that sign capability tokens, apart from the identity assertions' keys (a capability key never signs
/// an assertion, nor the other way round): <c>&lt;data&gt;/keys/capability-&lt;created&gt;-&lt;kid&gt;.pem</c> (PKCS#8,
/// mode 0600). The newest signs; every loaded key verifies and is published at
/// <c>/.well-known/keyward/capability-jwks.json</c>. Rotation is planned (docs/capabilities.md).
/// </summary>
internal sealed class CapabilityKeyStore
{
    private const string FilePrefix = "capability-";
    private readonly Dictionary<string, ECDsa> _byId;

    public CapabilityKeyStore(IOptions<KeywardOptions> keyward, TimeProvider time, ILogger<CapabilityKeyStore> logger)
    {
        var directory = Path.Combine(keyward.Value.DataDirectory, "keys");
        PrivateDirectory.Create(directory);
        var loaded = new List<(long Created, string Id, ECDsa Key)>();
        foreach (var file in Directory.EnumerateFiles(directory, FilePrefix + "*.pem"))
        {
            var parts = Path.GetFileNameWithoutExtension(file).Split('-', 3);
            if (parts.Length == 3 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var created))
            {
                var key = ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(file));
                loaded.Add((created, parts[2], key));
            }
        }

        if (loaded.Count == 0)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var id = Base64Url.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 12));
            var created = time.GetUtcNow().ToUnixTimeSeconds();
            SecretFile.Write(Path.Combine(directory, $"{FilePrefix}{created.ToString(CultureInfo.InvariantCulture)}-{id}.pem"), key.ExportPkcs8PrivateKeyPem());
            loaded.Add((created, id, key));
            CapabilityLog.KeyCreated(logger, id);
        }

        loaded.Sort((a, b) => a.Created.CompareTo(b.Created));
        (CurrentId, Current) = (loaded[^1].Id, loaded[^1].Key);
        _byId = loaded.ToDictionary(k => k.Id, k => k.Key, StringComparer.Ordinal);
        Jwks = BuildJwks(loaded.Select(k => (k.Id, k.Key)));
    }

    /// <summary>The id of the key that signs.</summary>
    public string CurrentId { get; }

    /// <summary>The key that signs.</summary>
    public ECDsa Current { get; }

    /// <summary>The published JWKS document.</summary>
    public string Jwks { get; }

    /// <summary>The key with id <paramref name="keyId"/>, or null (an unknown kid: the token is refused).</summary>
    public ECDsa? Find(string keyId) => _byId.GetValueOrDefault(keyId);

    private static string BuildJwks(IEnumerable<(string Id, ECDsa Key)> keys)
    {
        var array = new JsonArray();
        foreach (var (id, key) in keys)
        {
            var p = key.ExportParameters(false);
            array.Add(new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["x"] = Base64Url.Encode(p.Q.X),
                ["y"] = Base64Url.Encode(p.Q.Y),
                ["kid"] = id,
                ["use"] = "sig",
                ["alg"] = "ES256",
            });
        }

        return new JsonObject { ["keys"] = array }.ToJsonString();
    }
}
