using BenchmarkDotNet.Attributes;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Benchmarks;

/// <summary>
/// A full assertion verification (WebAuthn L3 §7.2, every step, key from the cache) against its bare signature
/// verification with an already-imported key. Target: ES256 full / bare ≤ 1.15.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class AssertionBenchmarks
{
    private RelyingParty _rp = null!;
    private AuthenticationCredential _credential = null!;
    private string _json = null!;
    private AssertionCeremony _ceremony = null!;
    private StoredCredential _stored = null!;
    private CosePublicKey _key = null!;
    private byte[] _signed = null!;

    [Params("ES256", "EdDSA", "RS256")]
    public string Algorithm { get; set; } = "ES256";

    [GlobalSetup]
    public void Setup()
    {
        var id = Algorithm switch
        {
            "ES256" => "spec/none-es256/authentication",
            "EdDSA" => "spec/packed-eddsa/authentication",
            _ => "spec/packed-rs256/authentication",
        };
        var c = VectorInputs.SpecCase(id);
        _rp = new RelyingParty(new RelyingPartyPolicy { RpId = c.GetProperty("rpId").GetString()!, Origins = [c.GetProperty("origin").GetString()!] }, TimeProvider.System);
        _json = c.GetProperty("response").GetRawText();
        _credential = AuthenticationCredential.Parse(_json).Value;
        _ceremony = new AssertionCeremony { Challenge = VectorInputs.Bytes(c.GetProperty("challenge")), UserIdentified = true };
        _stored = new StoredCredential
        {
            CredentialId = _credential.RawId,
            PublicKey = VectorInputs.Bytes(c.GetProperty("credentialPublicKey")),
            UserHandle = _credential.UserHandle ?? [],
            SignCount = c.TryGetProperty("storedSignCount", out var sc) ? sc.GetUInt32() : 0,
            BackupEligible = c.TryGetProperty("storedBackupEligible", out var be) ? be.GetBoolean() : null,
        };
        _key = CosePublicKey.Decode(_stored.PublicKey).Value;
        _signed = [.. _credential.AuthenticatorData, .. System.Security.Cryptography.SHA256.HashData(_credential.ClientDataJson)];
        if (!VerifyAssertion() || !BareSignature() || !ParseAndVerifyAssertion())
        {
            throw new InvalidOperationException($"{id} does not verify");
        }
    }

    /// <summary>Signature check only: the floor that a full verification is measured against.</summary>
    [Benchmark(Baseline = true)]
    public bool BareSignature() => _key.Verify(_signed, _credential.Signature);

    /// <summary>Every §7.2 step on an already-parsed response.</summary>
    [Benchmark]
    public bool VerifyAssertion() => _rp.VerifyAssertion(_credential, _ceremony, _stored).Succeeded;

    /// <summary>Every §7.2 step starting from the JSON text a browser posts.</summary>
    [Benchmark]
    public bool ParseAndVerifyAssertion() => _rp.VerifyAssertion(AuthenticationCredential.Parse(_json).Value, _ceremony, _stored).Succeeded;
}
