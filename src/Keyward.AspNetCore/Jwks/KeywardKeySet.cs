using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace Keyward.AspNetCore;

/// <summary>One fetched JWKS: the usable ES256 keys by <c>kid</c>, and when they were fetched.</summary>
internal sealed class KeywardKeySet
{
    public KeywardKeySet(IReadOnlyDictionary<string, SecurityKey> keys, DateTimeOffset fetchedAt)
    {
        Keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
        FetchedAt = fetchedAt;
    }

    public FrozenDictionary<string, SecurityKey> Keys { get; }

    public DateTimeOffset FetchedAt { get; }

    public bool TryGetKey(string kid, out SecurityKey key) => Keys.TryGetValue(kid, out key!);
}
