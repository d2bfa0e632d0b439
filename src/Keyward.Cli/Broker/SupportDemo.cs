using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Cli.Support;
using Keyward.Client;
using Keyward.Server.Hosting;
using Keyward.Server.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// The walk of <c>keyward demo support</c> (docs/remote-support.md): Keyward in this process on loopback with TLS and
/// its own CA; the agents are child processes of this same binary (<c>keyward agent enroll</c>, <c>agent run</c>) that
/// trust only that CA; the person at each machine is scripted through the agent's standard input (its
/// <c>--consent prompt</c> reads piped answers in order); the technician is this process (virtual key, join tokens,
/// viewer sockets). Every step in <see cref="Plan"/> must run and pass. Split by phase: the enrolled machine
/// (<c>SupportDemo.Machine.cs</c>), the ad-hoc agent and the confusion checks (<c>SupportDemo.Checks.cs</c>).
/// </summary>
internal sealed partial class SupportDemo : IAsyncDisposable
{
    internal const string StartKeyward = "start Keyward (TLS, loopback)";
    internal const string RegisterKey = "register the admin's virtual key (setup code)";
    internal const string SignIn = "sign in (WebAuthn assertion)";
    internal const string CreateEnrollToken = "create an enroll token (admin step-up)";
    internal const string Enroll = "agent enrolls with the token (child process)";
    internal const string RunAgent = "enrolled agent runs and connects (child process)";
    internal const string OpenMachineSession = "open an attended support session for the machine";
    internal const string WaitsForConsent = "viewer waits for consent, nothing relayed";
    internal const string PersonConsents = "the person at the machine consents";
    internal const string TcpForward = "TCP forward: 256 KiB echoed end to end, checked";
    internal const string Terminal = "terminal: a command runs on the machine, output checked";
    internal const string OpenAdHocSession = "open an ad-hoc support session (support code)";
    internal const string LoginTokenOnViewer = "login token on the viewer plane: 401";
    internal const string WrongSession = "join token of session A on session B: 403 join_wrong_session";
    internal const string LoginTokenAsAgentKey = "login token as agent key: 401";
    internal const string Garbage = "garbage on the viewer and agent planes: 401";
    internal const string AdHocBinds = "ad-hoc agent binds with the support code (child process)";
    internal const string PersonDenies = "the person at the machine denies: viewer closed 4403";
    internal const string AdHocStops = "ad-hoc agent stops when its session ends";
    internal const string CodeSingleUse = "support code is single use: a second agent is refused";
    internal const string ViewerOpen = "viewer open on the machine (active)";
    internal const string SignOut = "sign out";
    internal const string ViewerClosed = "viewer socket closed by sign-out (4401)";
    internal const string LoginTokenRefused = "login token refused after sign-out: 401";
    internal const string RevokedJoinToken = "revoked join token (minted before sign-out): 401";

    /// <summary>Every step, in order; the demo fails when one of them fails or does not run.</summary>
    internal static readonly IReadOnlyList<string> Plan =
    [
        StartKeyward, RegisterKey, SignIn, CreateEnrollToken, Enroll, RunAgent, OpenMachineSession, WaitsForConsent,
        PersonConsents, TcpForward, Terminal, OpenAdHocSession, LoginTokenOnViewer, WrongSession, LoginTokenAsAgentKey,
        Garbage, AdHocBinds, PersonDenies, AdHocStops, CodeSingleUse, ViewerOpen, SignOut, ViewerClosed,
        LoginTokenRefused, RevokedJoinToken,
    ];

    // Bounds that keep a broken run from hanging; none is a latency assertion.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly IAnsiConsole _console;
    private readonly DemoReport _report = new(Plan);
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _data;
    private readonly string _agentState;
    private readonly int _port = FreePort.Next();
    private WebApplication? _app;
    private HttpClient? _http;
    private KeywardClient? _client;
    private HttpMessageInvoker? _sockets;
    private string _caFile = string.Empty;
    private string _token = string.Empty;
    private VirtualAuthenticator? _key;

    private SupportDemo(IAnsiConsole console, string directory)
    {
        _console = console;
        _data = Path.Combine(directory, "keyward");
        _agentState = Path.Combine(directory, "agent");
    }

    private string Origin => $"https://localhost:{_port}";

    private KeywardClient Client => _client ?? throw new InvalidOperationException("Keyward is not started");

    /// <summary>Runs the walk in <paramref name="directory"/>, prints the report, cleans up its processes; the exit code.</summary>
    public static async Task<int> RunAsync(string directory, CancellationToken cancellationToken)
    {
        var demo = new SupportDemo(AnsiConsole.Console, directory);
        await using (demo.ConfigureAwait(false))
        {
            demo._console.MarkupLineInterpolated($"[bold]Keyward remote-support demo[/] in {directory}");
            try
            {
                await demo.WalkAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The failed step printed why and is in the report; the steps after it are reported as not run. What the
                // agents said last helps to see why (they log no token, key or code).
                foreach (var child in demo._owned.OfType<DemoChild>())
                {
                    demo._report.Note($"{child.Name} said: {child.Tail()}");
                }
            }
        }

        // Printed once the agents are killed and Keyward stopped, so nothing they print lands inside the report.
        demo._report.Print(demo._console);
        return demo._report.ExitCode;
    }

    private async Task WalkAsync(CancellationToken ct)
    {
        await Step(StartKeyward, () => StartKeywardAsync(ct)).ConfigureAwait(false);
        await Step(RegisterKey, async () =>
        {
            _key = VirtualAuthenticator.Create();
            var setup = _app!.Services.GetRequiredService<SetupCode>().Value ?? throw new InvalidOperationException("Keyward issued no setup code: an admin already exists in this data directory.");
            await Client.RegisterAsync(_key, RegistrationRequest.WithSetupCode(setup, "demo-admin", "demo key"), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        await Step(SignIn, async () => _token = (await Client.SignInAsync(_key!, "demo-admin", ct).ConfigureAwait(false)).SessionToken).ConfigureAwait(false);

        await using var echo = new DemoEchoServer();
        var sessionA = await MachineAsync(echo, ct).ConfigureAwait(false);
        await ChecksAsync(echo, sessionA, ct).ConfigureAwait(false);
        await SignOutAsync(echo, sessionA, ct).ConfigureAwait(false);
        _report.Note($"echo server on the agent's side: {echo.Connections} forwarded connection(s)");
    }

    private async Task StartKeywardAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_data);
        var ca = new LocalCertificateAuthority(_data, TimeProvider.System);
        using (ca.LoadOrCreateCa())
        {
        }

        _caFile = ca.CaCertificatePath;
        _app = KeywardHost.Build(
        [
            $"--Keyward:DataDirectory={_data}",
            $"--Keyward:Listen=https://127.0.0.1:{_port}",
            $"--Keyward:Metrics:Listen=http://127.0.0.1:{FreePort.Next()}",
            $"--Keyward:PublicOrigin={Origin}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        _app.Services.GetRequiredService<SetupCode>().Print = false;
        await _app.StartAsync(ct).ConfigureAwait(false);
        _http = CaTrust.CreateHttpClient(new Uri(Origin), _caFile);
        _client = new KeywardClient(_http);
        _sockets = new HttpMessageInvoker(CaTrust.CreateHandler(_caFile));
    }

    private Task Step(string name, Func<Task> action) => _report.StepAsync(_console, name, action);

    private T Own<T>(T owned)
        where T : IAsyncDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    /// <summary>Opens a support session (<paramref name="machine"/> null: ad hoc); its id and, ad hoc, its support code.</summary>
    private async Task<(Guid Id, string? Code)> OpenSessionAsync(Guid? machine, string reason, CancellationToken ct)
    {
        var body = new JsonObject { ["reason"] = reason, ["attended"] = true };
        if (machine is { } id)
        {
            body["machine_id"] = id.ToString();
        }

        var answer = (await Client.PostAsync("/api/support/sessions", _token, body, ct).ConfigureAwait(false)).EnsureSuccess().Json;
        var code = answer.TryGetProperty("support_code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return (answer.GetProperty("id").GetGuid(), code);
    }

    /// <summary>Mints a single-use join token for <paramref name="session"/> (never printed).</summary>
    private async Task<string> MintJoinAsync(Guid session, CancellationToken ct)
    {
        var answer = (await Client.PostAsync($"/api/support/sessions/{session}/join", _token, new JsonObject(), ct).ConfigureAwait(false)).EnsureSuccess().Json;
        return answer.GetProperty("join_token").GetString() ?? throw new InvalidOperationException("Keyward's join answer carried no join token.");
    }

    private static string ViewerPath(Guid session, string target) => $"/viewer/v1/sessions/{session}?{target}";

    /// <summary>Mints a join token and opens a viewer socket with it, as <c>keyward connect</c> and <c>keyward shell</c> do.</summary>
    private async Task<ViewerSocket> OpenViewerAsync(Guid session, string target, CancellationToken ct)
    {
        var join = await MintJoinAsync(session, ct).ConfigureAwait(false);
        var uri = new UriBuilder(new Uri(new Uri(Origin), ViewerPath(session, string.Empty))) { Scheme = "wss", Query = target }.Uri;
        return Own(await ViewerSocket.ConnectAsync(uri, join, _sockets!, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// A WebSocket handshake sent as a plain HTTP/1.1 request with <paramref name="credential"/> as Bearer, so that a
    /// refusal's status and problem code can be read (the .NET WebSocket client hides the body).
    /// </summary>
    private async Task<KeywardResponse> ProbeAsync(string path, string credential, string? subprotocol, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        if (subprotocol is not null)
        {
            request.Headers.Add("Sec-WebSocket-Protocol", subprotocol);
        }

        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
        using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var text = response.StatusCode == HttpStatusCode.SwitchingProtocols ? string.Empty : await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return new KeywardResponse(HttpMethod.Get, path, response, text);
    }

    /// <summary>Probes <paramref name="path"/> and requires exactly <paramref name="status"/> and <paramref name="code"/>.</summary>
    private async Task ExpectRefusedAsync(string what, string path, string credential, string? subprotocol, int status, string code, CancellationToken ct)
    {
        var answer = await ProbeAsync(path, credential, subprotocol, ct).ConfigureAwait(false);
        if (answer.StatusCode != status || answer.Code != code)
        {
            throw new InvalidOperationException($"{what}: expected {status} {code}, got {answer.StatusCode} {answer.Code ?? "(no problem code)"}");
        }

        _report.Note($"{what}: {answer.StatusCode} {answer.Code}");
    }

    /// <summary>Waits for <paramref name="seen"/> (a state the viewer reached) unless the viewer ends first or the bound passes.</summary>
    private static async Task AwaitViewerAsync(Task seen, Task<ViewerEnd> viewer, string what, CancellationToken ct)
    {
        var first = await Task.WhenAny(seen, viewer, Task.Delay(Bound, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (first == viewer)
        {
            throw new InvalidOperationException($"the viewer ended before {what}: {(await viewer.ConfigureAwait(false)).Describe()}");
        }

        if (first != seen)
        {
            throw new TimeoutException($"no {what} within {Bound.TotalSeconds:0} s");
        }
    }

    /// <summary>Kills the child processes first (a killed agent cannot outlive the demo), then closes the viewers and stops Keyward.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned).OfType<DemoChild>())
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var owned in Enumerable.Reverse(_owned).Where(o => o is not DemoChild))
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _sockets?.Dispose();
        _http?.Dispose();
    }

    private static long Now() => Stopwatch.GetTimestamp();
}
