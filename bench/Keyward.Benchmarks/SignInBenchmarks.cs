using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Benchmarks;

/// <summary>
/// A complete sign-in through Keyward's own pieces (issue 15: ≤ 600 µs of CPU and ≤ 40 KB allocated per sign-in),
/// against the real services on SQLite in tmpfs (<c>/dev/shm</c> when it exists): Keyward built as
/// <c>keyward serve</c> builds it, in process, with one account and one virtual key (counter 0, as synced passkeys
/// report). <see cref="Sign"/> is the client's half alone (the key signing a challenge), the baseline to subtract.
/// <see cref="SignIn"/> runs <c>SignInService.BeginAsync</c>, the key's signature and <c>FinishAsync</c>: every
/// check, the ceremony's single-use DELETE, the audit records and the session's INSERT, without HTTP.
/// <see cref="SignInOverHttp"/> adds the two endpoints (routing, JSON, cookie, rate limiter) over an in-memory
/// TestServer, with the client's own JSON. <see cref="MintTicket"/> is <c>POST /api/auth/ws-ticket</c> the same way.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class SignInBenchmarks
{
    private const string Account = "bench";
    private const string Route = "ws";

    private KeywardTestHost _host = null!;
    private string _folder = null!;
    private VirtualAuthenticator _key = null!;
    private SignInService _signIn = null!;
    private KeywardClient _client = null!;
    private HttpClient _http = null!;
    private HttpClient _sessionHttp = null!;
    private string _options = null!;
    private Caller _caller = null!;
    private IAuditLog _audit = null!;
    private SessionService _sessions = null!;
    private AccountEntity _account = null!;
    private Guid _keyGuid;
    private string _keyId = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _sessionHttp.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The client's half alone: the key signs one stored challenge (no Keyward work).</summary>
    [Benchmark(Baseline = true)]
    public string Sign() => _key.GetAssertion(_options, _host.Origin);

    /// <summary>Begin, the key's signature, finish: the services, without HTTP.</summary>
    [Benchmark]
    public async Task<string> SignIn()
    {
        var begun = await _signIn.BeginAsync(Account, CancellationToken.None).ConfigureAwait(false);
        var options = begun.Value.PublicKey.GetRawText();
        var assertion = _key.GetAssertion(options, _host.Origin);
        using var credential = JsonDocument.Parse(assertion);
        var finished = await _signIn.FinishAsync(begun.Value.CeremonyId, credential.RootElement, _caller, CancellationToken.None).ConfigureAwait(false);
        return finished.Refused ? throw new InvalidOperationException("sign-in refused: " + finished.Refusal!.Error.Code) : finished.Value.Token;
    }

    /// <summary>
    /// The pieces, to bisect <see cref="SignIn"/>'s allocations: <c>login/begin</c> through the service alone (the
    /// account and key reads, the options, the ceremony's INSERT).
    /// </summary>
    [Benchmark]
    public async Task<Guid> Begin() => (await _signIn.BeginAsync(Account, CancellationToken.None).ConfigureAwait(false)).Value.CeremonyId;

    /// <summary>The two audit records a sign-in makes (sign-in succeeded, session created), appended and committed.</summary>
    [Benchmark]
    public async Task<long> AuditRecords()
    {
        var sessionId = Guid.NewGuid().ToString();
        return await _audit.RecordAllAsync(
            [
                new AuditRecord
                {
                    Actor = Account, Action = AuditActions.SignInSucceeded, Outcome = AuditOutcomes.Success, Target = _keyId, ClientAddress = "127.0.0.1",
                    Details = new Dictionary<string, string> { ["session_id"] = sessionId, ["user_verified"] = "false", ["sign_count"] = "0" },
                },
                new AuditRecord
                {
                    Actor = Account, Action = AuditActions.SessionCreated, Outcome = AuditOutcomes.Success, Target = sessionId, ClientAddress = "127.0.0.1",
                    Details = new Dictionary<string, string> { ["authenticator_id"] = _keyId, ["user_verified"] = "false" },
                },
            ],
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The session's INSERT alone (<c>SessionService.CreateAsync</c> on a context of its own).</summary>
    [Benchmark]
    public async Task<string> SessionInsert() =>
        (await _sessions.CreateAsync(_account, _keyGuid, userVerified: false, "127.0.0.1", clientDevice: "bench", cancellationToken: CancellationToken.None).ConfigureAwait(false)).Token;

    /// <summary>The same over the endpoints (in-memory TestServer, no TLS), with the client's JSON.</summary>
    [Benchmark]
    public async Task<string> SignInOverHttp() =>
        (await _client.SignInAsync(_key, Account, CancellationToken.None).ConfigureAwait(false)).SessionToken;

    /// <summary>One WebSocket ticket for a signed-in session (in-memory TestServer).</summary>
    [Benchmark]
    public async Task<string> MintTicket()
    {
        using var response = await _sessionHttp.PostAsync(new Uri("/api/auth/ws-ticket", UriKind.Relative), new StringContent("{\"route\":\"ws\"}", System.Text.Encoding.UTF8, "application/json")).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync().ConfigureAwait(false) : throw new InvalidOperationException("mint refused: " + (int)response.StatusCode);
    }

    private async Task SetupAsync()
    {
        _folder = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "keyward-bench-signin-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            DataDirectory = _folder,
            Settings = new Dictionary<string, string>
            {
                [$"Keyward:Routes:{Route}:Path"] = "/ws/{**rest}",
                [$"Keyward:Routes:{Route}:Upstream"] = "https://127.0.0.1:9",
                [$"Keyward:Routes:{Route}:WebSocket:Enabled"] = "true",
                ["Keyward:SignIn:PerAddressPerMinute"] = "100000000",
            },
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
        }).ConfigureAwait(false);
        _key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero });
        _http = _host.CreateHttpClient();
        _client = new KeywardClient(_http, new KeywardClientOptions { Origin = _host.Origin });
        await _client.RegisterAsync(_key, RegistrationRequest.WithSetupCode(_host.SetupCode!, Account, "bench"), CancellationToken.None).ConfigureAwait(false);
        var token = (await _client.SignInAsync(_key, Account, CancellationToken.None).ConfigureAwait(false)).SessionToken;
        _sessionHttp = _host.CreateHttpClient();
        _sessionHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        _sessionHttp.DefaultRequestHeaders.Add("Origin", _host.Origin);
        _signIn = _host.Services.GetRequiredService<SignInService>();
        _options = (await _signIn.BeginAsync(Account, CancellationToken.None).ConfigureAwait(false)).Value.PublicKey.GetRawText();
        _caller = new Caller(Account, "127.0.0.1", "bench");
        _audit = _host.Services.GetRequiredService<IAuditLog>();
        _sessions = _host.Services.GetRequiredService<SessionService>();
        var accounts = _host.Services.GetRequiredService<AccountService>();
        _account = (await accounts.FindAccountByTypedNameAsync(Account, CancellationToken.None).ConfigureAwait(false))!;
        _keyGuid = (await accounts.ListAuthenticatorsAsync(_account.Id, CancellationToken.None).ConfigureAwait(false))[0].Id;
        _keyId = _keyGuid.ToString();
        if (Sign().Length == 0 || (await SignIn().ConfigureAwait(false)).Length == 0 || (await MintTicket().ConfigureAwait(false)).Length == 0)
        {
            throw new InvalidOperationException("set-up check failed");
        }
    }
}
