using BenchmarkDotNet.Attributes;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Core.Storage;
using Keyward.Server.Sessions;
using Keyward.Testing.Hosting;
using Keyward.WebAuthn;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Benchmarks;

/// <summary>
/// A sign-in's storage and ceremony steps one by one (issue 15, the allocation breakdown behind
/// <see cref="SignInBenchmarks.SignIn"/>), each on a context with its connection open, as <c>SignInService</c> runs them:
/// <see cref="OpenContext"/> is that context alone (subtract it from the others). Same host as
/// <see cref="SignInBenchmarks"/>: SQLite in tmpfs, one account, one virtual key.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class SignInStepBenchmarks
{
    private const string Account = "bench";

    private KeywardTestHost _host = null!;
    private string _folder = null!;
    private SignInService _signIn = null!;
    private KeywardDatabase _database = null!;
    private AuthenticationCredential _credential = null!;
    private CeremonyState _state = null!;
    private Guid _accountId;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A context with its connection opened and closed: what every step below includes.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> OpenContext()
    {
        await using var db = await OpenAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>login/begin's reads: the account by its typed name, then its keys.</summary>
    [Benchmark]
    public async Task<int> AllowedCredentials()
    {
        await using var db = await OpenAsync().ConfigureAwait(false);
        return (await _signIn.AllowedCredentialsAsync(db, Account, CancellationToken.None).ConfigureAwait(false)).Allow.Count;
    }

    /// <summary>login/begin's options and the ceremony's INSERT.</summary>
    [Benchmark]
    public async Task<Guid> IssueOptions()
    {
        await using var db = await OpenAsync().ConfigureAwait(false);
        var (id, allow) = await _signIn.AllowedCredentialsAsync(db, Account, CancellationToken.None).ConfigureAwait(false);
        return (await _signIn.IssueOptionsAsync(db, id, named: true, allow, CancellationToken.None).ConfigureAwait(false)).CeremonyId;
    }

    /// <summary>login/finish's reads: the key by its credential id, then its account.</summary>
    [Benchmark]
    public async Task<bool> ResolveCredential()
    {
        await using var db = await OpenAsync().ConfigureAwait(false);
        return (await _signIn.ResolveCredentialAsync(_credential, _state, CancellationToken.None, db).ConfigureAwait(false)).Refused;
    }

    private async Task<KeywardDbContext> OpenAsync()
    {
        var db = _database.CreateContext();
        await db.Database.OpenConnectionAsync().ConfigureAwait(false);
        return db;
    }

    private async Task SetupAsync()
    {
        _folder = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "keyward-bench-steps-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            DataDirectory = _folder,
            Settings = new Dictionary<string, string> { ["Keyward:SignIn:PerAddressPerMinute"] = "100000000" },
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
        }).ConfigureAwait(false);
        var key = VirtualAuthenticator.Create(new VirtualAuthenticatorOptions { SignCounter = SignCounterMode.Zero });
        using var http = _host.CreateHttpClient();
        var client = new KeywardClient(http, new KeywardClientOptions { Origin = _host.Origin });
        await client.RegisterAsync(key, RegistrationRequest.WithSetupCode(_host.SetupCode!, Account, "bench"), CancellationToken.None).ConfigureAwait(false);
        _signIn = _host.Services.GetRequiredService<SignInService>();
        _database = _host.Services.GetRequiredService<KeywardDatabase>();
        await using (var db = await OpenAsync().ConfigureAwait(false))
        {
            var (id, allow) = await _signIn.AllowedCredentialsAsync(db, Account, CancellationToken.None).ConfigureAwait(false);
            _accountId = id ?? throw new InvalidOperationException("set-up check failed: no account");
            var options = await _signIn.IssueOptionsAsync(db, id, named: true, allow, CancellationToken.None).ConfigureAwait(false);
            var parsed = AuthenticationCredential.Parse(key.GetAssertion(options.PublicKey.GetRawText(), _host.Origin));
            _credential = parsed.Succeeded ? parsed.Value : throw new InvalidOperationException("set-up check failed: " + parsed.Failure);
        }

        _state = new CeremonyState { Mode = CeremonyModes.Login, AccountId = _accountId, Named = true };
        if ((await ResolveCredential().ConfigureAwait(false)) || (await AllowedCredentials().ConfigureAwait(false)) != 1)
        {
            throw new InvalidOperationException("set-up check failed");
        }
    }
}
