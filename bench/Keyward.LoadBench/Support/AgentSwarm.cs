using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Keyward.Client;

namespace Keyward.LoadBench.Support;

/// <summary>
/// The agents mode's child process (<c>--mode swarm</c>): one lightweight <c>keyward-agent.v1</c> client per key in
/// <c>--swarm-keys</c>, all in this process, each connecting as the agent library does (Bearer key, version header,
/// subprotocol, WebSocket pings every 15 s), reading <c>hello</c>, then sending <c>heartbeat</c> every
/// <c>heartbeat_seconds</c> and nothing else. Reports on stdout (<c>ready</c>, then <c>status</c> every second) and
/// stops when its stdin closes. Keyward's memory is measured in the parent, so these clients are not counted in it.
/// </summary>
internal static class AgentSwarm
{
    private const int ConnectConcurrency = 32;
    private static readonly byte[] Heartbeat = Encoding.UTF8.GetBytes("{\"type\":\"heartbeat\"}");

    public static async Task<int> RunAsync(string? url, string? ca, string? keysFile, CancellationToken cancellationToken)
    {
        if (url is null || ca is null || keysFile is null)
        {
            await Console.Error.WriteLineAsync("--mode swarm needs --swarm-url, --swarm-ca and --swarm-keys (it is started by --mode agents).");
            return 2;
        }

        var keys = (await File.ReadAllLinesAsync(keysFile, cancellationToken)).Where(k => k.Length > 0).ToArray();
        var handler = new SocketsHttpHandler { UseCookies = false, UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(ca);
        using var invoker = new HttpMessageInvoker(handler);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync(CancellationToken.None);
            await stop.CancelAsync();
        }, CancellationToken.None);

        var uri = new Uri(new Uri(url), "/agent/v1/connect");
        var counts = new Counts();
        using var gate = new SemaphoreSlim(ConnectConcurrency);
        var agents = keys.Select(key => Task.Run(() => RunOneAsync(uri, key, invoker, gate, counts, stop.Token), CancellationToken.None)).ToArray();
        var settled = Task.WhenAll(agents);
        var ready = false;
        while (!stop.IsCancellationRequested)
        {
            if (!ready && counts.Connected + counts.Failed >= keys.Length)
            {
                ready = true;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {counts.Connected} {counts.Failed} {counts.FirstFailure}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"status {counts.Connected} {counts.Failed} {counts.Closed} {counts.Heartbeats}"));
            await Console.Out.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(1000, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await settled.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    private static async Task RunOneAsync(Uri uri, string key, HttpMessageInvoker invoker, SemaphoreSlim gate, Counts counts, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("keyward-agent.v1");
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        socket.Options.SetRequestHeader("Keyward-Agent-Version", "bench");
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(45);
        var buffer = new byte[1024];
        int interval;
        await gate.WaitAsync(cancellationToken);
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
            var hello = await socket.ReceiveAsync(buffer, cancellationToken);
            using var json = JsonDocument.Parse(buffer.AsMemory(0, hello.Count));
            if (!hello.EndOfMessage || json.RootElement.GetProperty("type").GetString() != "hello")
            {
                throw new InvalidOperationException("the first message was not hello");
            }

            interval = json.RootElement.TryGetProperty("heartbeat_seconds", out var seconds) ? seconds.GetInt32() : 30;
            Interlocked.Increment(ref counts.Connected);
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException or JsonException or KeyNotFoundException or IOException)
        {
            Interlocked.Increment(ref counts.Failed);
            Interlocked.CompareExchange(ref counts.FirstFailure, e.GetType().Name + ":" + e.Message.Replace(' ', '_'), null);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            gate.Release();
        }

        var beats = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(interval), cancellationToken);
                    await socket.SendAsync(Heartbeat, WebSocketMessageType.Text, true, cancellationToken);
                    Interlocked.Increment(ref counts.Heartbeats);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
        }, CancellationToken.None);
        try
        {
            while (true)
            {
                var frame = await socket.ReceiveAsync(buffer, cancellationToken);
                if (frame.MessageType == WebSocketMessageType.Close)
                {
                    Interlocked.Increment(ref counts.Closed);
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref counts.Closed);
            }
        }

        await beats;
    }

    private sealed class Counts
    {
#pragma warning disable SA1401, CA1051 // Interlocked needs fields.
        public int Connected;
        public int Failed;
        public int Closed;
        public long Heartbeats;
        public string? FirstFailure;
#pragma warning restore SA1401, CA1051
    }
}
