using BenchmarkDotNet.Attributes;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Cose;

namespace Keyward.Benchmarks;

/// <summary>
/// A full registration verification (WebAuthn L3 §7.1: CBOR, COSE key import, attestation) against a bare ES256
/// signature verification with an already-imported key. Registration imports a key, so it costs several verifications.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class RegistrationBenchmarks
{
    private RelyingParty _rp = null!;
    private RegistrationCredential _credential = null!;
    private RegistrationCeremony _ceremony = null!;
    private CosePublicKey _key = null!;
    private byte[] _signed = null!;
    private byte[] _signature = null!;

    [Params("none", "packed")]
    public string Format { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        var id = Format == "none" ? "spec/none-es256/registration" : "spec/packed-self-es256/registration";
        var c = VectorInputs.SpecCase(id);
        _rp = new RelyingParty(new RelyingPartyPolicy { RpId = c.GetProperty("rpId").GetString()!, Origins = [c.GetProperty("origin").GetString()!] }, TimeProvider.System);
        _credential = RegistrationCredential.Parse(c.GetProperty("response").GetRawText()).Value;
        _ceremony = new RegistrationCeremony { Challenge = VectorInputs.Bytes(c.GetProperty("challenge")), Algorithms = [CoseAlgorithm.ES256] };
        var registered = _rp.VerifyRegistration(_credential, _ceremony);
        if (!registered.Succeeded)
        {
            throw new InvalidOperationException($"{id}: {registered.Failure}");
        }

        // The baseline: the matching ES256 assertion's bare signature check.
        var auth = VectorInputs.SpecCase(id.Replace("registration", "authentication", StringComparison.Ordinal));
        var assertion = AuthenticationCredential.Parse(auth.GetProperty("response").GetRawText()).Value;
        _key = registered.Value.PublicKey;
        _signed = [.. assertion.AuthenticatorData, .. System.Security.Cryptography.SHA256.HashData(assertion.ClientDataJson)];
        _signature = assertion.Signature;
        if (!BareSignature())
        {
            throw new InvalidOperationException("baseline does not verify");
        }
    }

    [Benchmark(Baseline = true)]
    public bool BareSignature() => _key.Verify(_signed, _signature);

    [Benchmark]
    public bool VerifyRegistration() => _rp.VerifyRegistration(_credential, _ceremony).Succeeded;
}
