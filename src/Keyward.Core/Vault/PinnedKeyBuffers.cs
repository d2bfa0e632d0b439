using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Keyward.Core.Vault;

/// <summary>
/// Reusable 32-byte buffers for data keys, on the pinned object heap so the GC never leaves a copy behind, and cleared
/// when returned. Pooled because a pinned allocation per read lands in generation 2 and would make every few thousand
/// reads a full collection.
/// </summary>
internal static class PinnedKeyBuffers
{
    private const int MaxPooled = 64;
    private static readonly ConcurrentQueue<byte[]> Pool = new();

    /// <summary>A cleared 32-byte pinned buffer; give it back with <see cref="Return"/>.</summary>
    public static byte[] Rent() => Pool.TryDequeue(out var buffer) ? buffer : GC.AllocateArray<byte>(VaultEnvelope.DataKeyBytes, pinned: true);

    /// <summary>Clears <paramref name="buffer"/> and keeps it for the next <see cref="Rent"/>.</summary>
    public static void Return(byte[] buffer)
    {
        CryptographicOperations.ZeroMemory(buffer);
        if (Pool.Count < MaxPooled)
        {
            Pool.Enqueue(buffer);
        }
    }
}
