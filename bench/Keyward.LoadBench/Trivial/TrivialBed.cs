using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.LoadBench.Hosting;
using Keyward.LoadBench.Load;
using Keyward.Server.Tls;
using Keyward.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Keyward.LoadBench.Trivial;

/// <summary>
/// The trivial-upstream mode's bed, on loopback in a temporary directory: the trivial upstream (a child process),
/// and in front of it plain YARP (in this process), nginx <c>proxy_pass</c> and nginx <c>auth_request</c> +
/// <c>proxy_pass</c> (one nginx child, when nginx is installed), and Keyward with a session (in this process). Every
/// front end terminates TLS with the same certificate and key, issued by the bench CA, and reaches the upstream
/// over TLS. Every path sends the same <c>Authorization: Bearer kws_…</c> header, so the requests on the wire are
/// alike; only Keyward and nginx's auth endpoint look at it.
/// </summary>
internal sealed class TrivialBed : ILoadBed
{
    public const string Direct = "direct";
    public const string Yarp = "yarp";
    public const string Nginx = "nginx";
    public const string NginxAuth = "nginx-auth";
    public const string Keyward = "keyward";

    /// <summary>Every path's name, for <c>--paths</c>.</summary>
    public static readonly IReadOnlyList<string> Names = [Direct, Yarp, Nginx, NginxAuth, Keyward];

    /// <summary>The account registered with the setup code (so Keyward's first admin) and signed in.</summary>
    public const string Account = "bench";

    private const string Route = "trivial";

    private readonly string _directory;
    private readonly List<Target> _targets = [];
    private KeywardTestHost? _keyward;
    private WebApplication? _plain;
    private X509Certificate2? _certificate;
    private X509Certificate2Collection? _chain;
    private BenchChild? _upstream;
    private NginxProcess? _nginx;
    private HttpClient? _probe;

    private TrivialBed(string directory) => _directory = directory;

    public IReadOnlyList<Target> Targets => _targets;

    public string DataDirectory => _directory;

    public string CaFile { get; private set; } = string.Empty;

    public TimeSpan UpstreamCpu => _upstream?.CpuTime ?? TimeSpan.Zero;

    public TimeSpan NginxCpu => _nginx?.CpuTime ?? TimeSpan.Zero;

    /// <summary>Keyward, running in this process.</summary>
    public KeywardTestHost KeywardHost => _keyward ?? throw new InvalidOperationException("The bed has not started.");

    /// <summary>The virtual key registered to <see cref="Account"/>.</summary>
    public VirtualAuthenticator? Key { get; private set; }

    /// <summary>The session's token of <see cref="Account"/>.</summary>
    public string SessionToken { get; private set; } = string.Empty;

    /// <summary>Why the nginx front ends are missing from this run, or null when they are in it.</summary>
    public string? NginxSkipped { get; private set; }

    /// <param name="log">Progress.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="settings">More of Keyward's settings, made once the bed's directory exists (the vault mode's KEK file).</param>
    /// <param name="nginx">False to leave the nginx front ends out (the vault mode compares Keyward with itself).</param>
    public static async Task<TrivialBed> StartAsync(TextWriter log, CancellationToken cancellationToken, Func<string, IReadOnlyDictionary<string, string>>? settings = null, bool nginx = true)
    {
        var bed = new TrivialBed(Path.Combine(TestBed.Root, "keyward-loadbench-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            await bed.StartCoreAsync(log, settings, nginx, cancellationToken);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    public async Task<long> IncrementAsync(Target target, CancellationToken cancellationToken)
    {
        var credential = target.Credential();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Address);
        request.Headers.TryAddWithoutValidation(credential.Header, credential.Value);
        using var response = await _probe!.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{target.Name}: {target.Address} answered {(int)response.StatusCode}: {body}");
        }

        return (JsonNode.Parse(body)?["value"]?.GetValue<long>()) ?? throw new InvalidOperationException($"{target.Name}: no count in {body}");
    }

    private async Task StartCoreAsync(TextWriter log, Func<string, IReadOnlyDictionary<string, string>>? more, bool withNginx, CancellationToken cancellationToken)
    {
        var upstreamPort = FreePort.Next();
        var plainPort = FreePort.Next();
        Directory.CreateDirectory(_directory);
        log.WriteLine($"test bed in {_directory}");

        var ca = new LocalCertificateAuthority(_directory, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        CaFile = ca.CaCertificatePath;
        var (upstreamCert, upstreamKey) = ca.IssueFiles("upstream", ["localhost", "127.0.0.1"]);

        // One certificate (leaf and CA in one file, the chain every front end sends) for all the front ends.
        var (frontCert, frontKey) = ca.IssueFiles("front", ["localhost", "127.0.0.1"]);
        var probe = new SocketsHttpHandler { UseCookies = false, UseProxy = false };
        probe.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(CaFile);
        _probe = new HttpClient(probe) { Timeout = TimeSpan.FromSeconds(30) };

        _keyward = await KeywardTestHost.StartAsync(
            new KeywardTestHostOptions
            {
                Transport = KeywardTransport.Kestrel,
                DataDirectory = _directory,
                Settings = new Dictionary<string, string>(more?.Invoke(_directory) ?? new Dictionary<string, string>())
                {
                    [$"Keyward:Routes:{Route}:Path"] = "/resource/{**rest}",
                    [$"Keyward:Routes:{Route}:Upstream"] = $"https://127.0.0.1:{upstreamPort}",
                    [$"Keyward:Routes:{Route}:UpstreamCaFile"] = CaFile,
                    ["Keyward:Tls:CertificateFile"] = frontCert,
                    ["Keyward:Tls:KeyFile"] = frontKey,
                },
                Logging = logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning),
            },
            cancellationToken);

        var setup = _keyward.SetupCode ?? throw new InvalidOperationException("Keyward issued no setup code in a fresh data directory.");
        var key = VirtualAuthenticator.Create();
        string token;
        using (var http = _keyward.CreateHttpClient())
        {
            var client = new KeywardClient(http, new KeywardClientOptions { Origin = _keyward.Origin });
            await client.RegisterAsync(key, RegistrationRequest.WithSetupCode(setup, Account, "load bench"), cancellationToken);
            token = (await client.SignInAsync(key, Account, cancellationToken)).SessionToken;
        }

        Key = key;
        SessionToken = token;

        var authorization = "Bearer " + token;
        _upstream = BenchChild.Start(
            [TrivialUpstream.ChildCommand, upstreamPort.ToString(System.Globalization.CultureInfo.InvariantCulture), upstreamCert, upstreamKey],
            new Dictionary<string, string>(StringComparer.Ordinal) { [TrivialUpstream.AuthorizationVariable] = authorization });
        await _upstream.WaitReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);

        _certificate = X509Certificate2.CreateFromPemFile(frontCert, frontKey);
        _chain = [];
        _chain.ImportFromPemFile(frontCert);
        _chain.RemoveAt(0);
        _plain = PlainProxy.Build(plainPort, _certificate, $"https://127.0.0.1:{upstreamPort}", CaFile, _chain);
        await _plain.StartAsync(cancellationToken);

        RequestCredential Session() => new("Authorization", authorization);
        _targets.Add(new Target(Direct, "the trivial upstream, called directly", Address(upstreamPort), Session));
        _targets.Add(new Target(Yarp, "plain YARP, no authentication", Address(plainPort), Session));

        if (!withNginx)
        {
            NginxSkipped = "nginx is not part of this mode.";
        }
        else if (NginxProcess.Find() is { } nginx)
        {
            var proxyPort = FreePort.Next();
            var authPort = FreePort.Next();
            _nginx = await NginxProcess.StartAsync(new NginxSettings(nginx, _directory, proxyPort, authPort, upstreamPort, frontCert, frontKey, CaFile), cancellationToken);
            _targets.Add(new Target(Nginx, "nginx proxy_pass", Address(proxyPort), Session));
            _targets.Add(new Target(NginxAuth, "nginx auth_request + proxy_pass", Address(authPort), Session));
            log.WriteLine($"nginx ({nginx}) on {proxyPort} (proxy_pass) and {authPort} (auth_request)");
        }
        else
        {
            NginxSkipped = $"nginx is not installed, so the nginx front ends were skipped. Install it with: {NginxProcess.InstallHint}";
            log.WriteLine(NginxSkipped);
        }

        _targets.Add(new Target(Keyward, "Keyward with a session", Address(_keyward.Port), Session));
        await CheckRefusalsAsync(cancellationToken);
        log.WriteLine($"Keyward on {_keyward.Port}, plain YARP on {plainPort}, trivial upstream on {upstreamPort}; virtual key registered and signed in; Keyward's metrics listener {(_keyward.MetricsAddress is null ? "off (--keyward-metrics-off)" : "on, as shipped")}");
    }

    /// <summary>
    /// The authenticating front ends must refuse a request without the session (401), or the bench would compare a
    /// proxy that checks nothing with one that checks: the negative half of the pre-flight.
    /// </summary>
    private async Task CheckRefusalsAsync(CancellationToken cancellationToken)
    {
        foreach (var target in _targets.Where(t => t.Name is Keyward or NginxAuth))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Address);
            using var response = await _probe!.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                throw new InvalidOperationException($"{target.Name}: a request without the session answered {(int)response.StatusCode}, not 401.");
            }
        }
    }

    private static Uri Address(int port) => new($"https://127.0.0.1:{port}/resource/hello");

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

        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        _certificate?.Dispose();
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
