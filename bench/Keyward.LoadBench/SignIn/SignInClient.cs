using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.LoadBench.Load;

namespace Keyward.LoadBench.SignIn;

/// <summary>
/// The sign-in bench's clients, run as a child process (<c>Keyward.LoadBench.dll signin-client &lt;operation&gt;
/// &lt;clients&gt; &lt;seconds&gt;</c>) so that their CPU and allocations stay out of the Keyward process being measured.
/// It loads the virtual key, opens its keep-alive connections with one operation per client, prints <c>ready</c>,
/// waits for <c>go</c> on stdin, runs the clients closed-loop for the given time, and prints <c>result {json}</c>.
/// The key file's passphrase, the session token and Keyward's address come in the environment.
/// </summary>
internal static class SignInClient
{
    public const string ChildCommand = "signin-client";

    public const string OriginVariable = "KEYWARD_LOADBENCH_ORIGIN";
    public const string CaVariable = "KEYWARD_LOADBENCH_CA";
    public const string KeyFileVariable = "KEYWARD_LOADBENCH_KEY_FILE";
    public const string PassphraseVariable = "KEYWARD_LOADBENCH_KEY_PASSPHRASE";
    public const string AccountVariable = "KEYWARD_LOADBENCH_ACCOUNT";
    public const string TokenVariable = "KEYWARD_LOADBENCH_SESSION";
    public const string RouteVariable = "KEYWARD_LOADBENCH_WS_ROUTE";
    public const string SocketVariable = "KEYWARD_LOADBENCH_WS_URL";

    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args.Length != 4 || !Enum.TryParse<SignInOperation>(args[1], out var operation)
            || !int.TryParse(args[2], CultureInfo.InvariantCulture, out var clients) || !double.TryParse(args[3], CultureInfo.InvariantCulture, out var seconds))
        {
            await Console.Error.WriteLineAsync($"usage: {ChildCommand} <SignIn|Mint|MintAndRedeem> <clients> <seconds>");
            return 2;
        }

        string Env(string name) => Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set.");
        var origin = Env(OriginVariable);
        var ca = Env(CaVariable);
        var key = VirtualAuthenticator.Load(Env(KeyFileVariable), Env(PassphraseVariable));
        var account = Env(AccountVariable);
        var token = Env(TokenVariable);
        var route = Env(RouteVariable);
        var socketUrl = Env(SocketVariable);

        using var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(ca);
        HostResolution.Default.Apply(handler);
        using var http = new HttpClient(handler) { BaseAddress = new Uri(origin), Timeout = TimeSpan.FromSeconds(30) };
        var client = new KeywardClient(http, new KeywardClientOptions { Origin = origin });

        async Task OnceAsync(CancellationToken ct)
        {
            switch (operation)
            {
                case SignInOperation.SignIn:
                    await client.SignInAsync(key, account, ct);
                    break;
                case SignInOperation.Mint:
                    await client.RequestWebSocketTicketAsync(token, route, cancellationToken: ct);
                    break;
                default:
                    var ticket = (await client.RequestWebSocketTicketAsync(token, route, cancellationToken: ct)).Ticket;
                    using (var socket = new ClientWebSocket())
                    {
                        socket.Options.SetRequestHeader("Origin", origin);
                        socket.Options.RemoteCertificateValidationCallback = CaTrust.Only(ca);
                        await socket.ConnectAsync(new Uri($"{socketUrl}?ticket={Uri.EscapeDataString(ticket)}"), ct);
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                    }

                    break;
            }
        }

        // One operation per client first: the connections are open and the code paths compiled before the clock runs.
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => OnceAsync(CancellationToken.None)));
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 1;
        }

        var workers = Enumerable.Range(0, clients).Select(_ => new Worker()).ToArray();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(seconds * Stopwatch.Frequency);
        await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(OnceAsync, deadline), CancellationToken.None)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        var result = new ClientResult(
            latencies.LongLength,
            workers.Sum(w => w.Failed),
            elapsed.TotalSeconds,
            Percentiles.Of(latencies, 0.50) * 1000.0 / Stopwatch.Frequency,
            Percentiles.Of(latencies, 0.99) * 1000.0 / Stopwatch.Frequency,
            workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null));
        Console.WriteLine("result " + JsonSerializer.Serialize(result, SignInJsonContext.Default.ClientResult));
        return 0;
    }

    /// <summary>One client: an operation after another until the deadline; the one in flight then is finished and counted.</summary>
    private sealed class Worker
    {
        public List<long> Latencies { get; } = new(capacity: 4096);

        public long Failed { get; private set; }

        public string? FirstError { get; private set; }

        public async Task RunAsync(Func<CancellationToken, Task> operation, long deadline)
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(CancellationToken.None);
                    Latencies.Add(Stopwatch.GetTimestamp() - started);
                }
                catch (Exception e) when (e is KeywardProblemException or HttpRequestException or WebSocketException or IOException or OperationCanceledException or InvalidOperationException)
                {
                    Failed++;
                    FirstError ??= $"{e.GetType().Name}: {e.Message}";
                }
            }
        }
    }
}
