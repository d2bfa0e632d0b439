using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Cli.Broker;
using Keyward.Client;
using Keyward.Core.Sessions;
using Keyward.LoadBench.Load;
using Keyward.Server.Tls;
using Keyward.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// Everything under test, on loopback with TLS from Keyward's local CA in a temporary directory: the counter (child
/// process), Keyward (in this process on Kestrel, a <see cref="KeywardTestHost"/> with one route to the counter, a
/// virtual key registered with the setup code and signed in through Keyward.Client), and a plain YARP proxy (in this process, no authentication). Exposes the three paths as targets.
/// </summary>
internal sealed class TestBed : ILoadBed
{
    public const string Direct = "direct";
    public const string Yarp = "yarp";
    public const string Keyward = "keyward";

    private const string Route = "counter";
    private const string Account = "bench";

    private readonly string _directory;
    private readonly List<Target> _targets = [];
    private KeywardTestHost? _keyward;
    private WebApplication? _plain;
    private X509Certificate2? _plainCertificate;
    private CounterProcess? _counter;
    private AssertionMinter? _minter;
    private HttpClient? _probe;

    private TestBed(string directory) => _directory = directory;

    /// <summary>
    /// Where the state lives: tmpfs when there is one. The counter commits one SQLite transaction per request; on a
    /// disk, its flush (the same for every path, and shared with everyone else on the box) hides the proxies' cost.
    /// </summary>
    public static string Root { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    public string CaFile { get; private set; } = string.Empty;

    /// <summary>The temporary directory everything lives in (deleted on dispose).</summary>
    public string DataDirectory => _directory;

    public IReadOnlyList<Target> Targets => _targets;

    public CounterProcess Counter => _counter ?? throw new InvalidOperationException("The test bed is not started.");

    public TimeSpan UpstreamCpu => Counter.CpuTime;

    public TimeSpan NginxCpu => TimeSpan.Zero;

    public static async Task<TestBed> StartAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var bed = new TestBed(Path.Combine(Root, "keyward-loadbench-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            await bed.StartCoreAsync(log, cancellationToken);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>One request to a target: its status and body. For the pre-flight check and the final count.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendOnceAsync(Target target, CancellationToken cancellationToken)
    {
        var credential = target.Credential();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Address);
        request.Headers.TryAddWithoutValidation(credential.Header, credential.Value);
        using var response = await _probe!.SendAsync(request, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Increments the counter once through <paramref name="target"/> and returns the new value.</summary>
    public async Task<long> IncrementAsync(Target target, CancellationToken cancellationToken)
    {
        var (status, body) = await SendOnceAsync(target, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{target.Name}: {target.Address} answered {(int)status}: {body}");
        }

        return (JsonNode.Parse(body)?["value"]?.GetValue<long>()) ?? throw new InvalidOperationException($"{target.Name}: no counter value in {body}");
    }

    private async Task StartCoreAsync(TextWriter log, CancellationToken cancellationToken)
    {
        if (!CounterProcess.TryFind(AppContext.BaseDirectory, "bench/Keyward.LoadBench", out var counterDll, out var problem))
        {
            throw new InvalidOperationException(problem);
        }

        var counterPort = FreePort.Next();
        var plainPort = FreePort.Next();
        Directory.CreateDirectory(_directory);
        log.WriteLine($"test bed in {_directory}");

        var ca = new LocalCertificateAuthority(_directory, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        CaFile = ca.CaCertificatePath;
        var (counterCert, counterKey) = ca.IssueFiles("counter", ["localhost", "127.0.0.1"]);
        var (plainCert, plainKey) = ca.IssueFiles("plain-yarp", ["localhost", "127.0.0.1"]);
        var probe = new SocketsHttpHandler { UseCookies = false, UseProxy = false };
        probe.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(CaFile);
        HostResolution.Default.Apply(probe);
        _probe = new HttpClient(probe) { Timeout = TimeSpan.FromSeconds(30) };

        // Keyward finds the CA made above in its data directory and issues its own certificate from it.
        _keyward = await KeywardTestHost.StartAsync(
            new KeywardTestHostOptions
            {
                Transport = KeywardTransport.Kestrel,
                DataDirectory = _directory,
                Settings = new Dictionary<string, string>
                {
                    [$"Keyward:Routes:{Route}:Path"] = "/resource/{**rest}",
                    [$"Keyward:Routes:{Route}:Upstream"] = $"https://127.0.0.1:{counterPort}",
                    [$"Keyward:Routes:{Route}:UpstreamCaFile"] = CaFile,
                },
                Logging = logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning),
            },
            cancellationToken);
        var keywardPort = _keyward.Port;
        var origin = _keyward.Origin;

        _counter = CounterProcess.Start(counterDll, counterPort, origin, CaFile, counterCert, counterKey, Path.Combine(_directory, "counter"));
        _plainCertificate = X509Certificate2.CreateFromPemFile(plainCert, plainKey);
        _plain = PlainProxy.Build(plainPort, _plainCertificate, $"https://127.0.0.1:{counterPort}", CaFile);
        await _plain.StartAsync(cancellationToken);
        await WaitForCounterAsync(counterPort, cancellationToken);
        log.WriteLine($"Keyward on {keywardPort}, plain YARP on {plainPort}, counter on {counterPort}");

        var setup = _keyward.SetupCode ?? throw new InvalidOperationException("Keyward issued no setup code in a fresh data directory.");
        var key = VirtualAuthenticator.Create();
        string token;
        using (var http = _keyward.CreateHttpClient())
        {
            var client = new KeywardClient(http, new KeywardClientOptions { Origin = origin });
            await client.RegisterAsync(key, RegistrationRequest.WithSetupCode(setup, Account, "load bench"), cancellationToken);
            token = (await client.SignInAsync(key, Account, cancellationToken)).SessionToken;
        }

        // The session as Keyward holds it, so minted assertions carry the same sub, sid, role and amr.
        var check = await _keyward.GetRequiredService<SessionService>().CheckAsync(token, cancellationToken);
        var session = check.Session ?? throw new InvalidOperationException("Keyward does not recognise the session it just issued.");
        _minter = new AssertionMinter(Path.Combine(_directory, "keys"), origin, Route, session, TimeProvider.System);
        log.WriteLine("virtual key registered and signed in");

        var minter = _minter;
        RequestCredential Assertion() => new("Keyward-Assertion", minter.Mint());
        _targets.Add(new Target(Direct, "the counter, called directly", new Uri($"https://127.0.0.1:{counterPort}/resource/counter"), Assertion));
        _targets.Add(new Target(Yarp, "plain YARP, no authentication", new Uri($"https://127.0.0.1:{plainPort}/resource/counter"), Assertion));
        _targets.Add(new Target(Keyward, "Keyward with a session", new Uri($"https://127.0.0.1:{keywardPort}/resource/counter"), () => new("Authorization", "Bearer " + token)));
    }

    private async Task WaitForCounterAsync(int port, CancellationToken cancellationToken)
    {
        var health = new Uri($"https://127.0.0.1:{port}/healthz");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (Counter.HasExited)
            {
                throw new InvalidOperationException("the counter exited: " + string.Join(" | ", Counter.Output.TakeLast(10)));
            }

            try
            {
                using var response = await _probe!.GetAsync(health, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("the counter did not answer /healthz within 30 s: " + string.Join(" | ", Counter.Output.TakeLast(10)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_keyward is not null)
        {
            await _keyward.DisposeAsync();
        }

        if (_plain is not null)
        {
            await _plain.StopAsync(CancellationToken.None);
            await _plain.DisposeAsync();
        }

        if (_counter is not null)
        {
            await _counter.DisposeAsync();
        }

        _minter?.Dispose();
        _plainCertificate?.Dispose();
        _probe?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
