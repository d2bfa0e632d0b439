using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Assertions;

/// <summary>
/// ES256 keys for identity assertions, kept in <c>&lt;data&gt;/keys</c> (PKCS#8 PEM, mode 0600, named by creation
/// time and key id). The newest key signs; a new one is made every <see cref="AssertionOptions.KeyRotationInterval"/>;
/// a retired key stays published in the JWKS for <see cref="AssertionOptions.KeyOverlap"/>, then its file is deleted.
/// On PostgreSQL the keys are the cluster's instead (<see cref="Keys.ClusterSigningKeys"/>): the same schedule, but a new
/// key is published on every node before any node signs with it, and no file is written.
/// </summary>
internal sealed partial class SigningKeyStore
{
    private readonly string _directory;
    private readonly AssertionOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private List<SigningKey> _keys = [];
    private string _jwks = "{\"keys\":[]}";
    private long _nextChangeTicks;
    private readonly ILogger _logger;
    private readonly Keys.ClusterSigningKeys? _cluster;
    private (Core.Keys.SharedSigningKey Source, SigningKey Key)? _shared;

    public SigningKeyStore(IOptions<KeywardOptions> keyward, IOptions<AssertionOptions> options, TimeProvider time, ILogger<SigningKeyStore> logger, Keys.ClusterSigningKeys cluster)
    {
        _directory = Path.Combine(keyward.Value.DataDirectory, "keys");
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (cluster.Enabled)
        {
            // Read at start (after migration) and refreshed by the cluster's refresher; nothing on disk.
            _cluster = cluster;
            return;
        }

        PrivateDirectory.Create(_directory);
        Load();
        Rotate();
    }

    /// <summary>The key that signs now (rotating first when it is due).</summary>
    public SigningKey Current
    {
        get
        {
            if (_cluster is not null)
            {
                return SharedCurrent(_cluster);
            }

            RotateIfDue();
            return _keys[^1];
        }
    }

    /// <summary>The published JWKS document (without keys whose overlap has ended).</summary>
    public string Jwks
    {
        get
        {
            if (_cluster is not null)
            {
                return _cluster.Assertion.Jwks;
            }

            RotateIfDue();
            return _jwks;
        }
    }

    /// <summary>
    /// The published keys, newest first, with their state and dates, and the next rotation (rotating first when due).
    /// Public facts only: no key material beyond the key id.
    /// </summary>
    public SigningKeysResponse Describe(string jwksPath)
    {
        if (_cluster is not null)
        {
            return DescribeShared(_cluster.Assertion, jwksPath);
        }

        RotateIfDue();
        List<SigningKey> keys;
        lock (_gate)
        {
            keys = _keys;
        }

        var items = new List<SigningKeyItem>(keys.Count);
        for (var i = keys.Count - 1; i >= 0; i--)
        {
            var key = keys[i];
            if (i == keys.Count - 1)
            {
                items.Add(new SigningKeyItem(key.KeyId, "ES256", "current", key.CreatedAt, null, key.CreatedAt + _options.KeyRotationInterval + _options.KeyOverlap));
            }
            else
            {
                var retiredAt = keys[i + 1].CreatedAt;
                items.Add(new SigningKeyItem(key.KeyId, "ES256", "retiring", key.CreatedAt, retiredAt, retiredAt + _options.KeyOverlap));
            }
        }

        return new SigningKeysResponse(
            items, keys[^1].CreatedAt + _options.KeyRotationInterval, (long)_options.KeyRotationInterval.TotalSeconds, (long)_options.KeyOverlap.TotalSeconds, jwksPath);
    }

    /// <summary>Makes a new key when due and drops keys retired longer than the overlap.</summary>
    public void Rotate()
    {
        if (_cluster is not null)
        {
            // The cluster rotates under its advisory lock (ClusterSigningKeys.RefreshAsync), never from a request.
            return;
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_keys.Count == 0 || now - _keys[^1].CreatedAt >= _options.KeyRotationInterval)
            {
                var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var id = Base64UrlKeyId(key);
                var path = Path.Combine(_directory, $"assertion-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{id}.pem");
                SecretFile.Write(path, key.ExportPkcs8PrivateKeyPem());

                _keys = [.. _keys, new SigningKey(id, key, now)];
                KeyRotated(_logger, id);
            }

            // A key is retired when its successor appears; keep it published for the overlap after that.
            var keep = new List<SigningKey>();
            for (var i = 0; i < _keys.Count; i++)
            {
                var retiredAt = i + 1 < _keys.Count ? _keys[i + 1].CreatedAt : DateTimeOffset.MaxValue;
                if (retiredAt == DateTimeOffset.MaxValue || now - retiredAt < _options.KeyOverlap)
                {
                    keep.Add(_keys[i]);
                }
                else
                {
                    foreach (var file in Directory.EnumerateFiles(_directory, $"assertion-*-{_keys[i].KeyId}.pem"))
                    {
                        File.Delete(file);
                    }
                }
            }

            _keys = keep;
            _jwks = BuildJwks(keep);

            // The next moment the key set changes: the signer's rotation, or the end of a retired key's overlap.
            var next = keep[^1].CreatedAt + _options.KeyRotationInterval;
            if (keep.Count > 1 && keep[1].CreatedAt + _options.KeyOverlap < next)
            {
                next = keep[1].CreatedAt + _options.KeyOverlap;
            }

            Volatile.Write(ref _nextChangeTicks, next.UtcTicks);
        }
    }

    // The ring's signer, wrapped once per key (the wrapper is what the issuer signs with).
    private SigningKey SharedCurrent(Keys.ClusterSigningKeys cluster)
    {
        var source = cluster.Assertion.Signer(_time.GetUtcNow());
        var cached = _shared;
        if (cached is { } hit && ReferenceEquals(hit.Source, source))
        {
            return hit.Key;
        }

        var key = new SigningKey(source.KeyId, source.Key, source.Record.NotBefore);
        _shared = (source, key);
        return key;
    }

    private SigningKeysResponse DescribeShared(Keys.ClusterKeyRing ring, string jwksPath)
    {
        var now = _time.GetUtcNow();
        var signer = ring.Signer(now);
        var items = new List<SigningKeyItem>(ring.Keys.Count);
        for (var i = ring.Keys.Count - 1; i >= 0; i--)
        {
            var record = ring.Keys[i].Record;
            var state = ReferenceEquals(ring.Keys[i], signer) ? "current" : record.NotBefore > now ? "next" : "retiring";
            var retiredAt = i + 1 < ring.Keys.Count ? ring.Keys[i + 1].Record.NotBefore : (DateTimeOffset?)null;
            var removedAt = record.RetireAt ?? record.NotBefore + _options.KeyRotationInterval + _options.KeyOverlap;
            // created_at is when it began (or begins) to sign: a shared key is made a publish delay before that.
            items.Add(new SigningKeyItem(record.KeyId, "ES256", state, record.NotBefore, state == "retiring" ? retiredAt : null, removedAt));
        }

        var newest = ring.Keys[^1].Record.NotBefore;
        return new SigningKeysResponse(items, newest + _options.KeyRotationInterval, (long)_options.KeyRotationInterval.TotalSeconds, (long)_options.KeyOverlap.TotalSeconds, jwksPath);
    }

    // One clock read and a compare on the hot path; the lock only when something is due.
    private void RotateIfDue()
    {
        if (_time.GetUtcNow().UtcTicks >= Volatile.Read(ref _nextChangeTicks))
        {
            Rotate();
        }
    }

    private void Load()
    {
        var loaded = new List<SigningKey>();
        foreach (var file in Directory.EnumerateFiles(_directory, "assertion-*.pem"))
        {
            var parts = Path.GetFileNameWithoutExtension(file).Split('-', 3);
            if (parts.Length != 3 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var created))
            {
                continue;
            }

            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(file));
            loaded.Add(new SigningKey(parts[2], key, DateTimeOffset.FromUnixTimeSeconds(created)));
        }

        _keys = [.. loaded.OrderBy(k => k.CreatedAt)];
    }

    private static string Base64UrlKeyId(ECDsa key) =>
        Keyward.WebAuthn.Base64Url.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 12));

    private static string BuildJwks(IEnumerable<SigningKey> keys)
    {
        var array = new JsonArray();
        foreach (var k in keys)
        {
            var p = k.Key.ExportParameters(false);
            array.Add(new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["x"] = Keyward.WebAuthn.Base64Url.Encode(p.Q.X),
                ["y"] = Keyward.WebAuthn.Base64Url.Encode(p.Q.Y),
                ["kid"] = k.KeyId,
                ["use"] = "sig",
                ["alg"] = "ES256",
            });
        }

        return new JsonObject { ["keys"] = array }.ToJsonString();
    }

    [LoggerMessage(KeywardEventIds.SigningKeyRotated, LogLevel.Information, "New assertion signing key {KeyId}.")]
    private static partial void KeyRotated(ILogger logger, string keyId);
}
