using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Keyward.Core.Vault;

namespace Keyward.Benchmarks;

/// <summary>
/// Reading one 1 KiB vault secret's plaintext from its stored form (issue 12, "Speed"): unwrap the data key under the
/// epoch's KEK, then decrypt the value, each AES-256-GCM with its canonical AAD, the data key and plaintext buffers
/// pinned and cleared. Baseline: one bare AES-256-GCM decrypt of the same 1 KiB with a ready key schedule. No storage.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class VaultBenchmarks
{
    private static readonly VaultAddress Address = new("default", VaultDataClass.Credential, Guid.NewGuid(), Guid.NewGuid(), "github/token");
    private readonly byte[] _plaintext = new byte[1024];
    private LocalKeyEncryptionKeys _keys = null!;
    private SealedSecret _sealed = null!;
    private AesGcm _bare = null!;
    private byte[] _bareKey = null!;
    private byte[] _bareNonce = null!;
    private byte[] _bareCiphertext = null!;
    private byte[] _bareTag = null!;
    private byte[] _bareAad = null!;

    [GlobalSetup]
    public void Setup()
    {
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _keys = LocalKeyEncryptionKeys.Load(new VaultOptions { Keys = { [1] = new KeyEncryptionKeySource { Environment = "KEK" } } }, _ => kek);
        var value = RandomNumberGenerator.GetBytes(1024);
        _sealed = VaultEnvelope.SealAsync(_keys, Address, 1, 1, value).AsTask().GetAwaiter().GetResult();

        _bareKey = RandomNumberGenerator.GetBytes(32);
        _bare = new AesGcm(_bareKey, 16);
        _bareNonce = RandomNumberGenerator.GetBytes(12);
        _bareAad = VaultAad.ForValue(Address, 1);
        _bareCiphertext = new byte[1024];
        _bareTag = new byte[16];
        _bare.Encrypt(_bareNonce, value, _bareCiphertext, _bareTag, _bareAad);
        if (VaultOpen() != 1024 || BareDecrypt() != 1024)
        {
            throw new InvalidOperationException("The vault benchmark's inputs do not decrypt.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _keys.Dispose();
    }

    /// <summary>The floor: AES-256-GCM decrypt of 1 KiB, key schedule ready.</summary>
    [Benchmark(Baseline = true)]
    public int BareDecrypt()
    {
        _bare.Decrypt(_bareNonce, _bareCiphertext, _bareTag, _plaintext, _bareAad);
        return _plaintext.Length;
    }

    /// <summary>The same with the key schedule made each time, as any per-secret data key needs.</summary>
    [Benchmark]
    public int BareDecryptWithKeySetup()
    {
        using var aes = new AesGcm(_bareKey, 16);
        aes.Decrypt(_bareNonce, _bareCiphertext, _bareTag, _plaintext, _bareAad);
        return _plaintext.Length;
    }

    /// <summary>The vault's read path after the row is loaded: unwrap + decrypt + clear.</summary>
    [Benchmark]
    public int VaultOpen()
    {
        using var secret = VaultEnvelope.OpenAsync(_keys, Address, 1, _sealed).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("did not open");
        return secret.Value.Length;
    }
}
