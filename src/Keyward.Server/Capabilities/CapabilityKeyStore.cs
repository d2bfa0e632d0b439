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
/// <c>/.well-known/keyward/capability-jwks.json</c>. On SQLite rotation is planned (docs/capabilities.md); on PostgreSQL
/// the keys are the cluster's (<see cref="Keys.ClusterSigningKeys"/>), rotated every
/// <c>Keyward:SigningKeys:CapabilityKeyRotationInterval</c>, each published on every node before it signs.
/// </summary>
internal sealed class CapabilityKeyStore
{
    private const string FilePrefix = "capability-";
    private readonly Dictionary<string, ECDsa> _byId = [];
    private readonly Keys.ClusterSigningKeys? _cluster;
    private readonly TimeProvider _time;
    private readonly string _currentId = "";
    private readonly ECDsa? _current;
    private readonly string _jwks = "";

    // The server always has the cluster's keys registered (off on SQLite); a bench builds the store on its own files.
    public CapabilityKeyStore(IOptions<KeywardOptions> keyward, TimeProvider time, ILogger<CapabilityKeyStore> logger, Keys.ClusterSigningKeys? cluster = null)
    {
        _time = time;
        if (cluster is { Enabled: true })
        {
            _cluster = cluster;
            return;
        }

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
        (_currentId, _current) = (loaded[^1].Id, loaded[^1].Key);
        _byId = loaded.ToDictionary(k => k.Id, k => k.Key, StringComparer.Ordinal);
        _jwks = BuildJwks(loaded.Select(k => (k.Id, k.Key)));
    }

    /// <summary>The id of the key that signs.</summary>
    public string CurrentId => _cluster is null ? _currentId : _cluster.Capability.Signer(_time.GetUtcNow()).KeyId;

    /// <summary>The key that signs.</summary>
    public ECDsa Current => _cluster is null ? _current! : _cluster.Capability.Signer(_time.GetUtcNow()).Key;

    /// <summary>The signing key and its id, read together (a rotation between two reads cannot pair one key with another's id).</summary>
    public (string KeyId, ECDsa Key) Signer()
    {
        if (_cluster is null)
        {
            return (_currentId, _current!);
        }

        var signer = _cluster.Capability.Signer(_time.GetUtcNow());
        return (signer.KeyId, signer.Key);
    }

    /// <summary>The published JWKS document.</summary>
    public string Jwks => _cluster is null ? _jwks : _cluster.Capability.Jwks;

    /// <summary>The key with id <paramref name="keyId"/>, or null (an unknown or retired kid: the token is refused).</summary>
    public ECDsa? Find(string keyId) => _cluster is null ? _byId.GetValueOrDefault(keyId) : _cluster.Capability.Find(keyId, _time.GetUtcNow())?.Key;

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
