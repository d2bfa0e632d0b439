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

    /// <summary>
    /// The key that signs at <paramref name="now"/>: the newest whose not-before has come. Fails closed when that key is
    /// past its <c>retire_at</c> (this node has not read a successor it can use).
    /// </summary>
    /// <exception cref="SigningKeyRetiredException">The key that would sign is retired at <paramref name="now"/>.</exception>
    public SharedSigningKey Signer(DateTimeOffset now) =>
        RetiredSigner(now) is { } retired
            ? throw new SigningKeyRetiredException(retired.Record.Purpose, retired.KeyId, retired.Record.RetireAt!.Value)
            : Newest(now);

    /// <summary>The key that would sign at <paramref name="now"/> when it is already retired; else null.</summary>
    public SharedSigningKey? RetiredSigner(DateTimeOffset now)
    {
        var key = Newest(now);
        return key.Record.IsLive(now) ? null : key;
    }

    private SharedSigningKey Newest(DateTimeOffset now)
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

    /// <summary>
    /// This ring with the retire times <paramref name="stored"/> gives its keys, where earlier than the ones it knows
    /// (only ever sooner: the rows are not authenticated, so they may stop this node signing, never extend a key). For a
    /// refresh that read the rows but could not open a new key: the old key still stops signing at its retire_at.
    /// </summary>
    public ClusterKeyRing Retiring(IReadOnlyList<SigningKeyRecord> stored)
    {
        var changed = false;
        List<SharedSigningKey> keys = [];
        foreach (var key in Keys)
        {
            var row = stored.FirstOrDefault(r => r.KeyId == key.KeyId);
            if (row?.RetireAt is { } at && (key.Record.RetireAt is null || at < key.Record.RetireAt))
            {
                changed = true;
                keys.Add(new SharedSigningKey(key.Record with { RetireAt = at }, key.Key));
            }
            else
            {
                keys.Add(key);
            }
        }

        return changed ? new ClusterKeyRing(keys, Fingerprint) : this;
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
