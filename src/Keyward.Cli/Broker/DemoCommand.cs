using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Server.Hosting;
using Keyward.Server.Tls;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// <c>keyward demo</c>: the prototype's whole flow, for real. Starts Keyward (in this process) and the protected
/// counter (a child process) on loopback with TLS, registers a virtual key with the setup code, signs in, checks
/// status, sends N counter requests at parallelism P through the proxy, checks the values are unique and gap-free,
/// opens a WebSocket to the counter's echo with a ticket and exchanges a message, signs out, and checks that the
/// socket is closed (4401) and the token refused. Exits non-zero on any failure.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var requests = new Option<int>("--requests", "-n") { Description = "Counter requests to send.", DefaultValueFactory = _ => 20 };
        var parallelism = new Option<int>("--parallelism", "-p") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 8 };
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keep state here instead of a temporary directory (kept afterwards)." };
        var demo = new Command("demo", "Run Keyward and the protected counter on loopback with TLS and walk the whole flow.");
        demo.Options.Add(requests);
        demo.Options.Add(parallelism);
        demo.Options.Add(dataDir);
        demo.Subcommands.Add(DemoSupportCommand.Create());
        demo.Subcommands.Add(DemoVaultCommand.Create());
        demo.Subcommands.Add(DemoClusterCommand.Create());
        demo.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(requests);
            var p = parse.GetValue(parallelism);
            if (n < 1 || p < 1 || p > 512)
            {
                Console.Error.WriteLine("--requests must be at least 1 and --parallelism between 1 and 512.");
                return 2;
            }

            // Checked before anything starts: a source checkout that has not built the counter gets one plain line.
            if (!CounterProcess.TryFind(AppContext.BaseDirectory, "src/Keyward.Cli", out var counterDll, out var problem))
            {
                Console.Error.WriteLine(problem);
                return 2;
            }

            var keep = parse.GetValue(dataDir);
            var directory = keep?.FullName ?? Path.Combine(Path.GetTempPath(), "keyward-demo-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                return await RunAsync(counterDll, directory, n, p, ct).ConfigureAwait(false);
            }
            finally
            {
                if (keep is null)
                {
                    TryDelete(directory);
                }
            }
        });
        return demo;
    }

    private static async Task<int> RunAsync(string counterDll, string directory, int requests, int parallelism, CancellationToken ct)
    {
        var console = AnsiConsole.Console;
        var report = new DemoReport();
        var keywardPort = FreePort.Next();
        var counterPort = FreePort.Next();
        var origin = $"https://localhost:{keywardPort}";
        Directory.CreateDirectory(directory);

        var ca = new LocalCertificateAuthority(directory, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        var (counterCert, counterKey) = ca.IssueFiles("counter", ["localhost", "127.0.0.1"]);
        console.MarkupLineInterpolated($"[bold]Keyward demo[/] in {directory}");

        await using var app = KeywardHost.Build(
        [
            $"--Keyward:DataDirectory={directory}",
            $"--Keyward:Listen=https://127.0.0.1:{keywardPort}",

            // Not the default metrics port: a Keyward that is already serving may hold it.
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}",
            $"--Keyward:PublicOrigin={origin}",
            "--Keyward:Routes:counter:Path=/resource/{**rest}",
            $"--Keyward:Routes:counter:Upstream=https://127.0.0.1:{counterPort}",
            $"--Keyward:Routes:counter:UpstreamCaFile={ca.CaCertificatePath}",
            "--Keyward:Routes:echo:Path=/resource/echo",
            $"--Keyward:Routes:echo:Upstream=https://127.0.0.1:{counterPort}",
            $"--Keyward:Routes:echo:UpstreamCaFile={ca.CaCertificatePath}",
            "--Keyward:Routes:echo:WebSocket:Enabled=true",
            $"--Keyward:Routes:echo:WebSocket:AllowedOrigins:0={origin}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        app.Services.GetRequiredService<SetupCode>().Print = false;
        await using var counter = CounterProcess.Start(counterDll, counterPort, origin, ca.CaCertificatePath, counterCert, counterKey, Path.Combine(directory, "counter"));
        using var http = CaTrust.CreateHttpClient(new Uri(origin), ca.CaCertificatePath);
        var client = new KeywardClient(http);
        try
        {
            await Step(report, "start Keyward (TLS)", () => app.StartAsync(ct)).ConfigureAwait(false);
            await Step(report, "start the counter (TLS)", () => WaitForCounterAsync(counterPort, ca.CaCertificatePath, counter, ct)).ConfigureAwait(false);
            var key = VirtualAuthenticator.Create();
            var setup = app.Services.GetRequiredService<SetupCode>().Value ?? throw new InvalidOperationException("Keyward issued no setup code: an admin already exists in this data directory.");
            await Step(report, "register a virtual key (setup code)", () => client.RegisterAsync(key, RegistrationRequest.WithSetupCode(setup, "demo-admin", "demo key"), ct)).ConfigureAwait(false);
            string token = string.Empty;
            await Step(report, "sign in (WebAuthn assertion)", async () =>
            {
                var login = await client.SignInAsync(key, "demo-admin", ct).ConfigureAwait(false);
                token = login.SessionToken;
            }).ConfigureAwait(false);
            await Step(report, "session status", () => client.StatusAsync(token, ct)).ConfigureAwait(false);

            var values = new long[requests];
            var latencies = new double[requests];
            var clock = Stopwatch.StartNew();
            async Task CallAsync(Action called) =>
                await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (i, token2) =>
                {
                    var started = Stopwatch.GetTimestamp();
                    var result = (await client.PostAsync("/resource/counter", token, null, token2).ConfigureAwait(false)).EnsureSuccess();
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    values[i] = result.Json.GetProperty("value").GetInt64();
                    called();
                }).ConfigureAwait(false);

            var calls = $"{requests} counter calls, {parallelism} at a time";
            if (!Console.IsOutputRedirected && console.Profile.Capabilities.Interactive)
            {
                await console.Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask(calls, maxValue: requests);
                    await CallAsync(() => task.Increment(1)).ConfigureAwait(false);
                }).ConfigureAwait(false);
            }
            else
            {
                // Not a terminal (a log, a pipe, CI): a line at each quarter instead of a bar that would be left half-drawn.
                console.WriteLine($"  {calls}");
                var done = 0;
                await CallAsync(() =>
                {
                    var n = Interlocked.Increment(ref done);
                    if (n * 4 / requests != (n - 1) * 4 / requests)
                    {
                        console.WriteLine($"    {n} of {requests}");
                    }
                }).ConfigureAwait(false);
            }

            clock.Stop();
            console.MarkupLineInterpolated($"  [green]✓[/] {calls} [grey]({clock.Elapsed.TotalMilliseconds:0} ms)[/]");
            report.Add($"{requests} counter calls at parallelism {parallelism}", clock.Elapsed, null);
            var gapFree = Check(values, out var detail);
            report.Add("values unique and gap-free", TimeSpan.Zero, gapFree ? null : detail);

            using var socket = new DemoWebSocket(client, ca.CaCertificatePath);
            await Step(report, "WebSocket: ticket, upgrade, echo", () => socket.OpenAndEchoAsync(token, ct)).ConfigureAwait(false);

            var signedOut = Stopwatch.GetTimestamp();
            await Step(report, "sign out", () => client.LogoutAsync(token, ct)).ConfigureAwait(false);
            await Step(report, "WebSocket closed by sign-out (4401)", async () =>
            {
                var (code, reason, after) = await socket.WaitClosedAsync(signedOut).ConfigureAwait(false);
                if (code != 4401)
                {
                    throw new InvalidOperationException($"expected close code 4401, got {code} {reason}");
                }

                report.Note($"WebSocket closed {after.TotalMilliseconds:0} ms after sign-out: {code} \"{reason}\"");
            }).ConfigureAwait(false);
            await Step(report, "token refused after sign-out", async () =>
            {
                var refused = await client.PostAsync("/resource/counter", token, null, ct).ConfigureAwait(false);
                if (refused.StatusCode != (int)HttpStatusCode.Unauthorized)
                {
                    throw new InvalidOperationException($"expected 401, got {refused.StatusCode}");
                }

                report.Note($"after sign-out: 401 {refused.Code}");
            }).ConfigureAwait(false);

            Array.Sort(latencies);
            report.Note($"values {values.Min()}..{values.Max()}; {requests / clock.Elapsed.TotalSeconds:0} requests/s; latency p50 {Percentile(latencies, 0.50):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms");
        }
        catch (Exception e) when (e is KeywardProblemException or InvalidOperationException or HttpRequestException or TimeoutException or IOException or System.Net.WebSockets.WebSocketException)
        {
            report.Add("demo", TimeSpan.Zero, Refusal.Describe(e));
            foreach (var line in counter.Output.TakeLast(10))
            {
                report.Note("counter: " + line);
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        report.Print(console);
        return report.Failed ? 1 : 0;
    }

    private static async Task Step(DemoReport report, string name, Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await action().ConfigureAwait(false);
            report.Add(name, clock.Elapsed, null);
            AnsiConsole.MarkupLineInterpolated($"  [green]✓[/] {name} [grey]({clock.Elapsed.TotalMilliseconds:0} ms)[/]");
        }
        catch (Exception e) when (e is KeywardProblemException or InvalidOperationException or HttpRequestException or TimeoutException or IOException or AuthenticatorException or System.Net.WebSockets.WebSocketException)
        {
            var message = Refusal.Describe(e);
            AnsiConsole.MarkupLineInterpolated($"  [red]✗[/] {name}: {message}");
            throw new InvalidOperationException($"{name}: {message}", e);
        }
    }

    private static async Task WaitForCounterAsync(int port, string caFile, CounterProcess counter, CancellationToken ct)
    {
        // The counter is not Keyward: a plain probe that trusts only the demo's CA.
        using var probe = CaTrust.CreateHttpClient(new Uri($"https://127.0.0.1:{port}"), caFile);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (counter.HasExited)
            {
                throw new InvalidOperationException("the counter exited: " + string.Join(" | ", counter.Output.TakeLast(5)));
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/healthz", UriKind.Relative), ct).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        throw new TimeoutException("the counter did not answer /healthz within 30 s");
    }

    /// <summary>True when the values are distinct and consecutive.</summary>
    internal static bool Check(long[] values, out string detail)
    {
        var sorted = values.Order().ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                detail = $"value {sorted[i]} was returned twice";
                return false;
            }

            if (sorted[i] != sorted[i - 1] + 1)
            {
                detail = $"gap between {sorted[i - 1]} and {sorted[i]}";
                return false;
            }
        }

        detail = string.Empty;
        return true;
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
