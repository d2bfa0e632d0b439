using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Keyward.Authenticator;
using Keyward.Server.Sessions;
using Keyward.WebAuthn;

namespace Keyward.Benchmarks;

/// <summary>
/// The WebAuthn and JSON pieces of one sign-in (issue 15, the crypto, JSON and HTTP side), with the virtual key (ES256,
/// counter 0) Keyward's sign-in bench uses: <see cref="Options"/> is login/begin's options, <see cref="BeginAnswer"/>
/// the begin's answer as the endpoint writes it, <see cref="BindFinish"/> the finish body read as the endpoint reads it,
/// <see cref="Parse"/> the credential's parse, <see cref="Verify"/> every §7.2 step against the stored key (cached
/// import) and <see cref="FinishAnswer"/> the finish's answer. <see cref="Sign"/> is the key's own signature (client
/// side), the baseline. Read the Allocated column; the times are noisy on a shared box.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class SignInAssertionBenchmarks
{
    private const string Origin = "https://keyward.test";

    private RelyingParty _rp = null!;
    private VirtualAuthenticator _key = null!;
    private AuthenticationOptionsRequest _request = null!;
    private string _optionsJson = null!;
    private byte[] _finishBody = null!;
    private JsonDocument _credentialDocument = null!;
    private AuthenticationCredential _credential = null!;
    private AssertionCeremony _ceremony = null!;
    private StoredCredential _stored = null!;
    private CeremonyState _state = null!;
    private SignInResponse _answer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rp = new RelyingParty(new RelyingPartyPolicy { RpId = "keyward.test", Origins = [Origin] }, TimeProvider.System);
        _key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero });
        var registration = _rp.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = "bench" });
        var made = RegistrationCredential.Parse(_key.MakeCredential(registration.ToJson(), Origin)).Value;
        var registered = _rp.VerifyRegistration(made, registration.Ceremony).Value;

        _request = new AuthenticationOptionsRequest { AllowCredentials = [new CredentialDescriptor(registered.CredentialId, ["usb"])] };
        var options = _rp.CreateAuthenticationOptions(_request);
        _optionsJson = options.ToJson();
        var assertion = _key.GetAssertion(_optionsJson, Origin);
        _finishBody = System.Text.Encoding.UTF8.GetBytes($"{{\"ceremony_id\":\"{Guid.NewGuid()}\",\"credential\":{assertion}}}");
        _credentialDocument = JsonDocument.Parse(assertion);
        _credential = AuthenticationCredential.Parse(_credentialDocument.RootElement).Value;
        _state = new CeremonyState { Mode = CeremonyModes.Login, AccountId = Guid.NewGuid(), Named = true, AllowCredentials = [Base64Url.Encode(registered.CredentialId)] };
        _ceremony = new AssertionCeremony { Challenge = options.Ceremony.Challenge, UserIdentified = true, AllowCredentials = [registered.CredentialId] };
        _stored = new StoredCredential
        {
            CredentialId = registered.CredentialId,
            PublicKey = registered.PublicKey.Encoded,
            UserHandle = registration.UserHandle,
            SignCount = 0,
            BackupEligible = registered.BackupEligible,
        };
        _answer = new SignInResponse("kws_" + new string('x', 43), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "bench", false);
        if (!Verify() || Parse() is null || BindFinish() == Guid.Empty || BeginAnswer().Length == 0)
        {
            throw new InvalidOperationException("set-up check failed");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _credentialDocument.Dispose();

    /// <summary>The client's half: the virtual key signs the options (not Keyward's work).</summary>
    [Benchmark(Baseline = true)]
    public string Sign() => _key.GetAssertion(_optionsJson, Origin);

    /// <summary>login/begin's WebAuthn options: a fresh challenge and the options JSON.</summary>
    [Benchmark]
    public string Options() => _rp.CreateAuthenticationOptions(_request).ToJson();

    /// <summary>The begin's answer as the endpoint writes it (options, the stored state, the response body).</summary>
    [Benchmark]
    public byte[] BeginAnswer()
    {
        var options = _rp.CreateAuthenticationOptions(_request);
        var state = JsonSerializer.Serialize(_state, CeremonyStateJsonContext.Default.CeremonyState);
        var answer = new CeremonyOptionsResponse(Guid.NewGuid(), new CeremonyOptionsJson(options.ToJson()));
        return state.Length == 0 ? [] : JsonSerializer.SerializeToUtf8Bytes(answer, SessionsJsonContext.Relaxed.CeremonyOptionsResponse);
    }

    /// <summary>The finish's body bound as minimal APIs bind it (reflection metadata, web defaults).</summary>
    [Benchmark]
    public Guid BindFinish() => JsonSerializer.Deserialize<CeremonyFinishRequest>(_finishBody, JsonSerializerOptions.Web)!.CeremonyId;

    /// <summary>The credential parsed from the bound JSON (base64url members decoded).</summary>
    [Benchmark]
    public AuthenticationCredential Parse() => AuthenticationCredential.Parse(_credentialDocument.RootElement).Value;

    /// <summary>Every §7.2 step on a parsed credential, the ceremony built from its stored state as the sign-in does.</summary>
    [Benchmark]
    public bool Verify() => _rp.VerifyAssertion(_credential, _ceremony with { AllowCredentials = [.. _state.AllowCredentials.Select(a => Base64Url.TryDecode(a, out var b) ? b : [])] }, _stored).Succeeded;

    /// <summary>The finish's answer body.</summary>
    [Benchmark]
    public byte[] FinishAnswer() => JsonSerializer.SerializeToUtf8Bytes(_answer, SessionsJsonContext.Relaxed.SignInResponse);
}
