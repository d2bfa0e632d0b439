using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Keyward.Core.Capabilities;
using Keyward.Server.Capabilities;
using Keyward.Server.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Keyward.Benchmarks;

/// <summary>
/// Checking a capability token (issue 12 "Speed"): everything the verifier does before its one look at the store
/// (shape, header, kid, ES256 signature, every claim; <c>CapabilityVerifier.Read</c>) against a bare ES256 verify of
/// the same signing input with the same, already imported key. Target: ≤ 1.2. The scope lookup (one indexed read) is
/// left out of both: it is storage, not verification, and the vault read over HTTP pays it.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class CapabilityBenchmarks
{
    private string _data = null!;
    private CapabilityKeyStore _keys = null!;
    private CapabilityVerifier _verifier = null!;
    private string _token = null!;
    private ECDsa _key = null!;
    private byte[] _signed = null!;
    private byte[] _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = Directory.CreateTempSubdirectory("keyward-bench-cap-").FullName;
        var keyward = Options.Create(new KeywardOptions { DataDirectory = _data, PublicOrigin = "https://keyward.example" });
        _keys = new CapabilityKeyStore(keyward, TimeProvider.System, NullLogger<CapabilityKeyStore>.Instance);
        var issuer = new CapabilityIssuer(_keys, keyward, Options.Create(new CapabilityOptions()), TimeProvider.System);
        var scope = new CapabilityScope(Guid.NewGuid(), "default", Guid.NewGuid(), Guid.NewGuid(), CapabilityActorKind.Service, ["read"], ["memory"], ["runs/"], DateTimeOffset.UtcNow, null);
        _token = issuer.Issue(scope, 1, "read", "memory", "runs/last").Token;

        // The scope service is never reached by Read.
        _verifier = new CapabilityVerifier(_keys, null!, keyward, TimeProvider.System);
        var parts = _token.Split('.');
        _key = _keys.Current;
        _signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        _signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        if (_verifier.Read(_token) is null || !Bare())
        {
            throw new InvalidOperationException("The token does not verify.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_data, recursive: true);

    [Benchmark(Baseline = true)]
    public bool Bare() => _key.VerifyData(_signed, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public Capability? Verify() => _verifier.Read(_token);
}
