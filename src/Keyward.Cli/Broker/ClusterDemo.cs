using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Server.Tls;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// The walk of <c>keyward demo cluster</c> (issue 13, item 6; docs/operating.md): a throwaway PostgreSQL from Debian's
/// binaries, two <c>keyward serve</c> nodes on it (child processes, TLS from Keyward's local CA, one cluster
/// key-encryption key file of mode 0600 and one <c>instance.key</c> given to both), the protected counter, and nginx
/// round-robin in front (TLS). Every check in <see cref="Plan"/> must run and pass. Split by phase: sign-in, both nodes,
/// revocation and its latency, the ticket race (<c>ClusterDemo.Checks.cs</c>), kill -9 of a node under a stream of
/// writes (<c>ClusterDemo.Kill.cs</c>), the audit export. Every process is stopped and the directory removed at the end,
/// on failure and on Ctrl+C too (and, should this process end first, from ProcessExit).
/// </summary>
internal sealed partial class ClusterDemo : IAsyncDisposable
{
    internal const string StartPostgres = "start PostgreSQL (initdb, pg_ctl, temporary directory)";
    internal const string StartNodeA = "start node A (keyward serve, TLS, cluster KEK file 0600)";
    internal const string RegisterAdmin = "register a virtual key on node A (setup code)";
    internal const string StartNodeB = "start node B (same database, KEK file and instance.key)";
    internal const string StartBalancer = "start the counter and nginx round-robin in front (TLS)";
    internal const string SignIn = "sign in through the balancer";
    internal const string BothNodes = "requests through the balancer land on both nodes";
    internal const string LogoutRefused = "logout via node A: token refused on node B";
    internal const string Latency = "cross-node revocation latency (p50/p99/max)";
    internal const string TicketRace = "WebSocket ticket raced over both nodes: one winner";
    internal const string KillKeepsServing = "kill -9 of node B mid-stream: node A keeps serving";
    internal const string Restarted = "node B restarted: serves through the balancer again";
    internal const string WritesKept = "every acknowledged write is there, none twice";
    internal const string AuditVerifies = "audit export verified (keyward audit export/verify)";

    /// <summary>
    /// Every check, in order; the demo fails when one of them fails or does not run. Each name is at most 65 characters,
    /// so that its line (<c>  ✓ name (N ms)</c>) fits the 80 columns a console without a terminal is given.
    /// </summary>
    internal static readonly IReadOnlyList<string> Plan =
    [
        StartPostgres, StartNodeA, RegisterAdmin, StartNodeB, StartBalancer, SignIn, BothNodes, LogoutRefused, Latency,
        TicketRace, KillKeepsServing, Restarted, WritesKept, AuditVerifies,
    ];

    private const string Account = "demo-admin";

    // Bounds that keep a broken run from hanging on a shared machine; none is a latency assertion.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private readonly IAnsiConsole _console;
    private readonly DemoReport _report = new(Plan);
    private readonly string _directory;
    private readonly int _logouts;
    private readonly string _postgresBin;
    private readonly string _nginxExecutable;
    private readonly int _balancerPort = FreePort.Next();
    private readonly VirtualAuthenticator _key = VirtualAuthenticator.Create();
    private readonly List<ClusterDemoNode> _nodes = [];
    private ClusterDemoPostgres? _postgres;
    private ClusterDemoNginx? _nginx;
    private CounterProcess? _counter;
    private HttpClient? _http;
    private string _caFile = string.Empty;
    private string _token = string.Empty;

    // Every sign-in the walk saw acknowledged (a session token answered 200), for the audit check.
    private int _signIns;

    private ClusterDemo(IAnsiConsole console, string directory, int logouts, string postgresBin, string nginxExecutable)
    {
        _console = console;
        _directory = directory;
        _logouts = logouts;
        _postgresBin = postgresBin;
        _nginxExecutable = nginxExecutable;
    }

    private string Origin => $"https://localhost:{_balancerPort}";

    /// <summary>Through nginx, as every user of the cluster is.</summary>
    private KeywardClient Balancer => new(_http ?? throw new InvalidOperationException("the balancer is not started"));

    private ClusterDemoNode NodeA => _nodes[0];

    private ClusterDemoNode NodeB => _nodes[1];

    /// <summary>Runs the walk in <paramref name="directory"/>, prints the report, stops every process; the exit code.</summary>
    public static async Task<int> RunAsync(string directory, int logouts, string postgresBin, string nginxExecutable, string counterDll, CancellationToken ct)
    {
        var demo = new ClusterDemo(AnsiConsole.Console, directory, logouts, postgresBin, nginxExecutable);

        // Should this process end before the cleanup below runs (a second Ctrl+C), PostgreSQL and nginx still stop;
        // the nodes and the counter are DemoChild and CounterProcess children, which stop themselves likewise.
        EventHandler stopAtExit = (_, _) => demo.StopServers();
        AppDomain.CurrentDomain.ProcessExit += stopAtExit;
        try
        {
            await using (demo.ConfigureAwait(false))
            {
                demo._console.MarkupLineInterpolated($"[bold]Keyward cluster demo[/] in {directory}");
                try
                {
                    await demo.WalkAsync(counterDll, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A failed check printed why and is in the report; the checks after it are reported as not run. A
                    // failure between checks (writing a key file, the CA) is noted here, and fails the demo the same way.
                    if (e is not InvalidOperationException { InnerException: not null })
                    {
                        demo._report.Note($"stopped: {Refusal.Describe(e)}");
                    }

                    foreach (var node in demo._nodes.Where(n => n.IsRunning))
                    {
                        demo._report.Note($"node {node.Name} said: {ServeTail(node)}");
                    }
                }
            }
        }
        finally
        {
            AppDomain.CurrentDomain.ProcessExit -= stopAtExit;
        }

        // Printed once every process is stopped, so nothing they print lands inside the report.
        demo._report.Print(demo._console);
        return demo._report.ExitCode;
    }

    private async Task WalkAsync(string counterDll, CancellationToken ct)
    {
        await StartAsync(counterDll, ct).ConfigureAwait(false);
        await SignInAsync(ct).ConfigureAwait(false);
        await RevocationAsync(ct).ConfigureAwait(false);
        await TicketRaceAsync(ct).ConfigureAwait(false);
        await KillAsync(ct).ConfigureAwait(false);
        await AuditAsync(ct).ConfigureAwait(false);
    }

    private async Task StartAsync(string counterDll, CancellationToken ct)
    {
        await Step(StartPostgres, async () =>
        {
            _postgres = await ClusterDemoPostgres.StartAsync(_postgresBin, Path.Combine(_directory, "postgres"), ct).ConfigureAwait(false);
            _report.Note($"PostgreSQL on 127.0.0.1:{_postgres.Port}, socket and data in {_postgres.Root}");
        }).ConfigureAwait(false);

        // One CA (Keyward's local CA) issues every certificate: the nodes', nginx's and the counter's.
        var tls = Path.Combine(_directory, "ca");
        var ca = new LocalCertificateAuthority(tls, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        _caFile = ca.CaCertificatePath;
        var (nodeCert, nodeKey) = ca.IssueFiles("node", ["localhost", "127.0.0.1"]);
        var kek = Path.Combine(_directory, "cluster-kek-1.key");
        WriteSecretFile(kek);
        var instanceKey = Path.Combine(_directory, "instance.key");
        WriteSecretFile(instanceKey);
        var counterPort = FreePort.Next();
        string[] settings =
        [
            $"--Keyward:PublicOrigin={Origin}",
            "--Keyward:Storage:Provider=Postgres",
            $"--Keyward:Storage:ConnectionString={_postgres!.ConnectionString}",
            $"--Keyward:Vault:Keys:1:File={kek}",
            $"--Keyward:Tls:CertificateFile={nodeCert}",
            $"--Keyward:Tls:KeyFile={nodeKey}",

            // Every request of the demo comes from 127.0.0.1; the guess limit per address (shared by the nodes) would
            // otherwise stop its hundred-odd sign-ins a minute.
            "--Keyward:SignIn:PerAddressPerMinute=100000",
            "--Keyward:Routes:counter:Path=/resource/{**rest}",
            $"--Keyward:Routes:counter:Upstream=https://127.0.0.1:{counterPort}",
            $"--Keyward:Routes:counter:UpstreamCaFile={_caFile}",
            "--Keyward:Routes:echo:Path=/resource/echo",
            $"--Keyward:Routes:echo:Upstream=https://127.0.0.1:{counterPort}",
            $"--Keyward:Routes:echo:UpstreamCaFile={_caFile}",
            "--Keyward:Routes:echo:WebSocket:Enabled=true",
            $"--Keyward:Routes:echo:WebSocket:AllowedOrigins:0={Origin}",
            "--Logging:LogLevel:Default=Warning",
        ];
        foreach (var name in new[] { "A", "B" })
        {
            var data = Path.Combine(_directory, "node-" + name.ToLowerInvariant());
            PrivateDirectory(data);

            // The same installation secret on every node (docs/operating.md), given before the first start.
            File.Copy(instanceKey, Path.Combine(data, "instance.key"));
            _nodes.Add(new ClusterDemoNode(name, FreePort.Next(), data, Origin, _caFile, [.. settings, $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}"]));
        }

        await Step(StartNodeA, async () =>
        {
            await NodeA.StartAsync(Bound, ct).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                _report.Note($"cluster KEK {kek}: mode {Convert.ToString((int)File.GetUnixFileMode(kek), 8)}");
            }
        }).ConfigureAwait(false);

        // The first admin registers on node A, before node B starts: the setup code is the first start's.
        await Step(RegisterAdmin, async () =>
        {
            var line = await NodeA.Serve.WaitForLineAsync(l => SetupCodeLine().IsMatch(l), Bound, ct).ConfigureAwait(false);
            var code = SetupCodeLine().Match(line).Groups["code"].Value;
            await NodeA.Client.RegisterAsync(_key, RegistrationRequest.WithSetupCode(code, Account, "demo key"), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        await Step(StartNodeB, () => NodeB.StartAsync(Bound, ct)).ConfigureAwait(false);

        await Step(StartBalancer, async () =>
        {
            var (counterCert, counterKey) = ca.IssueFiles("counter", ["localhost", "127.0.0.1"]);
            _counter = CounterProcess.Start(counterDll, counterPort, Origin, _caFile, counterCert, counterKey, Path.Combine(_directory, "counter"));
            var (balancerCert, balancerKey) = ca.IssueFiles("balancer", ["localhost", "127.0.0.1"]);
            _nginx = await ClusterDemoNginx.StartAsync(
                _nginxExecutable, Path.Combine(_directory, "nginx"), _balancerPort, [NodeA.Port, NodeB.Port], balancerCert, balancerKey, _caFile, ct).ConfigureAwait(false);
            _http = CaTrust.CreateHttpClient(new Uri(Origin), _caFile);
            await WaitForCounterAsync(counterPort, ct).ConfigureAwait(false);
            _report.Note($"balancer {Origin} -> node A 127.0.0.1:{NodeA.Port}, node B 127.0.0.1:{NodeB.Port}");
        }).ConfigureAwait(false);
    }

    private async Task WaitForCounterAsync(int port, CancellationToken ct)
    {
        using var probe = CaTrust.CreateHttpClient(new Uri($"https://127.0.0.1:{port}"), _caFile);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Bound);
        while (true)
        {
            if (_counter!.HasExited)
            {
                throw new InvalidOperationException("the counter exited: " + string.Join(" | ", _counter.Output.TakeLast(5)));
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/healthz", UriKind.Relative), limit.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, limit.Token).ConfigureAwait(false);
        }
    }

    // 32 random bytes in base64, created with mode 0600 (Keyward refuses a key file open to its group or others).
    private static void WriteSecretFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            using var file = new FileStream(path, options);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>A directory only this user may enter (mode 0700), as Keyward wants its data directory.</summary>
    internal static void PrivateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private Task Step(string name, Func<Task> action) => _report.StepAsync(_console, name, action);

    // What a node printed last, without the line that carries the setup code.
    private static string ServeTail(ClusterDemoNode node) =>
        string.Join(" | ", node.Serve.Lines.Where(l => !SetupCodeLine().IsMatch(l)).TakeLast(6));

    [GeneratedRegex(@"setup code (?<code>\S+) \(single use")]
    private static partial Regex SetupCodeLine();

    /// <summary>PostgreSQL and nginx, synchronously (from ProcessExit too); safe to call twice.</summary>
    private void StopServers()
    {
        _nginx?.Stop();
        _postgres?.Stop();
    }

    /// <summary>Stops the nodes, the counter, nginx and PostgreSQL (pg_ctl -m immediate), in that order.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        if (_counter is not null)
        {
            await _counter.DisposeAsync().ConfigureAwait(false);
        }

        StopServers();
        _http?.Dispose();
    }
}
