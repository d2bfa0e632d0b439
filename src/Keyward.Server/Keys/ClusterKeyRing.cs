using System.Text.Json.Nodes;
using Keyward.Core.Keys;

namespace Keyward.Server.Keys;

/// <summary>
/// One purpose's shared keys as this node last read them: every key not yet retired, in signing order, and their JWKS.
/// Immutable; <see cref="ClusterSigningKeys"/> swaps in a new one when the database's keys change.
/// </summary>
internal sealed class ClusterKeyRing
{
    public ClusterKeyRing(IReadOnlyList<SharedSigningKey> keys, string fingerprint)
    {
        Keys = keys;
        Fingerprint = fingerprint;
        var array = new JsonArray();
        foreach (var key in keys)
        {
            var jwk = JsonNode.Parse(key.Record.PublicJwk)!.AsObject();
            jwk["use"] = "sig";
            jwk["alg"] = "ES256";
            array.Add(jwk);
        }

        Jwks = new JsonObject { ["keys"] = array }.ToJsonString();
    }

    /// <summary>The keys not yet retired when read, oldest first (a successor is here before it signs).</summary>
    public IReadOnlyList<SharedSigningKey> Keys { get; }

    /// <summary>The JWKS of <see cref="Keys"/>: every key a token in flight may carry.</summary>
    public string Jwks { get; }

    /// <summary>What the database held (ids and retire times), to notice a change without opening keys.</summary>
    public string Fingerprint { get; }

    /// <summary>The key that signs at <paramref name="now"/>: the newest whose not-before has come.</summary>
    public SharedSigningKey Signer(DateTimeOffset now)
    {
        for (var i = Keys.Count - 1; i > 0; i--)
        {
            if (Keys[i].Record.NotBefore <= now)
            {
                return Keys[i];
            }
        }

        return Keys[0];
    }

    /// <summary>The key with id <paramref name="keyId"/> while it is valid at <paramref name="now"/>, or null.</summary>
    public SharedSigningKey? Find(string keyId, DateTimeOffset now)
    {
        foreach (var key in Keys)
        {
            if (key.KeyId == keyId)
            {
                return key.Record.IsLive(now) ? key : null;
            }
        }

        return null;
    }

    /// <summary>The fingerprint of a list of key records.</summary>
    public static string FingerprintOf(IEnumerable<SigningKeyRecord> records) =>
        string.Join(';', records.Select(r => $"{r.KeyId}:{r.RetireAt?.ToUnixTimeMilliseconds()}"));
}
