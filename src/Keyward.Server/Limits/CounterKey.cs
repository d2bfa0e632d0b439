namespace Keyward.Server.Limits;

/// <summary>Keys for <see cref="IClusterCounters"/>: a name, and a part that is keyed-hashed when it could say something.</summary>
internal static class CounterKey
{
    /// <summary>
    /// <paramref name="name"/> and <paramref name="part"/> (an account's lookup key or a client address). The shared
    /// store never writes the part in the clear: <see cref="PostgresClusterCounters"/> replaces everything after the
    /// first colon with an HMAC under a key derived from the cluster's instance secret, so a database reader can
    /// neither read nor brute-force who failed or from where.
    /// </summary>
    public static string Hashed(string name, string part) => name + ":" + part;
}
