using System.Security.Cryptography;
using System.Text;

namespace Keyward.Server.Limits;

/// <summary>Keys for <see cref="IClusterCounters"/>: a name, and a part that is hashed when it could say something.</summary>
internal static class CounterKey
{
    /// <summary>
    /// <paramref name="name"/> and a SHA-256 prefix of <paramref name="part"/>: an account's lookup key or a client
    /// address never lies in the table in the clear (a database reader learns neither who failed nor from where).
    /// </summary>
    public static string Hashed(string name, string part)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(part), hash);
        return name + ":" + Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>The index of the fixed window of <paramref name="length"/> that holds <paramref name="now"/>.</summary>
    public static long Window(DateTimeOffset now, TimeSpan length) => now.UtcTicks / length.Ticks;

    /// <summary>When that window ends.</summary>
    public static DateTimeOffset WindowEnd(long window, TimeSpan length) => new((window + 1) * length.Ticks, TimeSpan.Zero);
}
