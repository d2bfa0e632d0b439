using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Keyward.Client;
using Keyward.EndToEnd.Tests.Processes;

namespace Keyward.EndToEnd.Tests.Crash;

/// <summary>
/// kill -9 of Keyward and of the counter behind it, each while four clients keep calling the counter through
/// Keyward's proxy with one session token: every value the counter acknowledged is kept (later values are all larger)
/// and none is handed out twice; the session survives Keyward's crash; the audit log still verifies after it.
/// Real processes (<c>keyward serve</c>, the counter sample, the <c>keyward</c> command), real TLS, SIGKILL.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class CrashConsistencyTests : IAsyncLifetime
{
    private const int AcknowledgedPerPhase = 40;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("keyward-crash-test-");
    private readonly int _keywardPort = FreePort.Next();
    private readonly int _counterPort = FreePort.Next();
    private readonly int _metricsPort = FreePort.Next();
    private readonly ConcurrentQueue<(int Value, int Phase)> _acknowledged = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly string _keyward = CliBinaries.Keyward();
    private readonly string _counter = CliBinaries.Counter();
    private RealProcess? _server;
    private RealProcess? _upstream;
    private int _phase;

    private string DataDirectory => Path.Combine(_root.FullName, "keyward-data");

    private string CaFile => Path.Combine(DataDirectory, "tls", "ca.pem");

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task KillNine_OfKeywardThenOfTheCounter_UnderProxiedCalls_LosesNoAcknowledgedValueRepeatsNoneAndKeepsTheSession()
    {
        var (origin, setupCode) = await StartKeywardAsync(expectSetupCode: true);
        _upstream = StartCounter();
        var token = await SignInWithTheCliAsync(origin, setupCode!);

        using var http = CaTrust.CreateHttpClient(new Uri(origin), CaFile);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => CallCounterUntilAsync(http, stop.Token)).ToArray();

        // Phase 0: steady state. Phase 1: after kill -9 of Keyward and a restart on the same data directory.
        // Phase 2: after kill -9 of the counter and a restart on its database.
        await WaitForAcknowledgedAsync(phase: 0);

        await _server!.KillAsync();
        await _server.DisposeAsync();
        Volatile.Write(ref _phase, 1);
        await StartKeywardAsync(expectSetupCode: false);
        await WaitForAcknowledgedAsync(phase: 1);

        await _upstream.KillAsync();
        await _upstream.DisposeAsync();
        Volatile.Write(ref _phase, 2);
        _upstream = StartCounter();
        await WaitForAcknowledgedAsync(phase: 2);

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        // The same token still opens a session on the restarted Keyward.
        using (var status = await http.PostAsync(new Uri("/session/status", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        Assert.True(_unexpected.IsEmpty, "Answers other than a value or a refusal while a process was down:\n" + string.Join('\n', _unexpected.Take(20)));

        var values = _acknowledged.ToList();
        Assert.Equal(values.Count, values.Select(v => v.Value).Distinct().Count());
        for (var phase = 1; phase <= 2; phase++)
        {
            var before = values.Where(v => v.Phase < phase).Max(v => v.Value);
            var after = values.Where(v => v.Phase == phase).Min(v => v.Value);
            Assert.True(after > before, $"After the crash before phase {phase}, the counter answered {after}, not above the {before} it had acknowledged.");
        }

        // A third crash, then the audit log as an operator would check it: exported and verified by the CLI.
        await _server!.KillAsync();
        var export = Path.Combine(_root.FullName, "audit.jsonl");
        var (exit, output) = await RealProcess.RunAsync(_keyward, ["audit", "export", "--data-dir", DataDirectory, "--out", export]);
        Assert.True(exit == 0, $"keyward audit export exited {exit}:\n{output}");
        (exit, output) = await RealProcess.RunAsync(_keyward, ["audit", "verify", export]);
        Assert.True(exit == 0, $"keyward audit verify exited {exit}:\n{output}");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        _root.Delete(recursive: true);
    }

    // Keyward as `keyward serve` with the README's counter route. Ready once /healthz answers over its own TLS.
    private async Task<(string Origin, string? SetupCode)> StartKeywardAsync(bool expectSetupCode)
    {
        _server = RealProcess.Start(_keyward,
        [
            "serve", "--data-dir", DataDirectory, "--listen", $"https://127.0.0.1:{_keywardPort}",
            "--Keyward:Routes:counter:Path=/resource/{**rest}", $"--Keyward:Routes:counter:Upstream=http://127.0.0.1:{_counterPort}",
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{_metricsPort}", "--Logging:LogLevel:Default=Warning",
        ]);
        string origin = $"https://localhost:{_keywardPort}";
        string? code = null;
        if (expectSetupCode)
        {
            var line = await _server.WaitForLineAsync(SetupCodeLine(), StartTimeout);
            origin = line.Groups["origin"].Value;
            code = line.Groups["code"].Value;
        }

        using var http = CaTrust.CreateHttpClient(new Uri(origin), CaFile);
        using var limit = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            Assert.False(_server.HasExited, $"keyward serve exited:\n{_server.Output}");
            try
            {
                using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), limit.Token);
                if (health.IsSuccessStatusCode)
                {
                    return (origin, code);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"keyward serve did not answer /healthz in time:\n{_server.Output}");
            }

            await Task.Delay(100, limit.Token);
        }
    }

    private RealProcess StartCounter() => RealProcess.Start(_counter,
    [
        "--urls", $"http://127.0.0.1:{_counterPort}", "--authority", $"https://localhost:{_keywardPort}", "--ca-file", CaFile,
        "--data-dir", Path.Combine(_root.FullName, "counter-data"), "--Logging:LogLevel:Default=Warning",
    ]);

    // key create, register with the setup code, login: the README's walk-through, as separate processes.
    private async Task<string> SignInWithTheCliAsync(string origin, string setupCode)
    {
        var key = Path.Combine(_root.FullName, "admin.key");
        var session = Path.Combine(_root.FullName, "session");
        var environment = new Dictionary<string, string> { ["KEYWARD_KEY_PASSPHRASE"] = "crash test passphrase" };
        string[] server = ["--server", origin, "--cacert", CaFile, "--key", key];

        var (exit, output) = await RealProcess.RunAsync(_keyward, ["key", "create", "--key", key], environment);
        Assert.True(exit == 0, $"keyward key create exited {exit}:\n{output}");
        (exit, output) = await RealProcess.RunAsync(_keyward, ["register", .. server, "--setup-code", setupCode, "--username", "admin"], environment);
        Assert.True(exit == 0, $"keyward register exited {exit}:\n{output}");
        (exit, output) = await RealProcess.RunAsync(_keyward, ["login", .. server, "--username", "admin", "--token-file", session, "--print-token"], environment);
        Assert.True(exit == 0, $"keyward login exited {exit}:\n{output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    // One client: POST the counter through Keyward until stopped. A value is acknowledged only when it came back in a
    // 200; refusals while a process is down (no connection, 502/503/504) are expected and retried.
    private async Task CallCounterUntilAsync(HttpClient http, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var phase = Volatile.Read(ref _phase);
            try
            {
                using var response = await http.PostAsync(new Uri("/resource/counter", UriKind.Relative), null, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var json = JsonDocument.Parse(body);
                    _acknowledged.Enqueue((json.RootElement.GetProperty("value").GetInt32(), phase));
                    continue;
                }

                if (response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    _unexpected.Enqueue($"{(int)response.StatusCode} {body}");
                }
            }
            catch (HttpRequestException)
            {
                // Keyward is down (connection refused or reset mid-request): not acknowledged.
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    private async Task WaitForAcknowledgedAsync(int phase)
    {
        using var limit = new CancellationTokenSource(PhaseTimeout);
        while (_acknowledged.Count(v => v.Phase == phase) < AcknowledgedPerPhase)
        {
            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"Phase {phase}: fewer than {AcknowledgedPerPhase} values acknowledged in time. Unexpected answers:\n"
                    + string.Join('\n', _unexpected.Take(10)) + $"\nkeyward:\n{_server?.Output}\ncounter:\n{_upstream?.Output}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    [GeneratedRegex(@"Open (?<origin>https://\S+?)/ and register the first key with setup code (?<code>\S+) ")]
    private static partial Regex SetupCodeLine();
}
