using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Keyward.Server.Tests.Cluster;

/// <summary>
/// A loopback TCP relay in front of the test PostgreSQL, so a test can take "the database" away from a node and give it
/// back without touching the server other tests share: <see cref="Down"/> resets every relayed connection and every new
/// one (what a node sees when PostgreSQL dies or refuses), <see cref="Freeze"/> stops forwarding on the connections open
/// now without closing them (a link cut silently: no error, no answer), <see cref="Up"/> and <see cref="Thaw"/> undo them.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _down;

    private TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The relay's port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Starts a relay to <paramref name="host"/>:<paramref name="port"/> (an IP address).</summary>
    public static TcpRelay Start(string host, int port) => new(new IPEndPoint(IPAddress.Parse(host), port));

    /// <summary>Resets every open connection and every new one until <see cref="Up"/>.</summary>
    public void Down()
    {
        _down = true;
        foreach (var link in _links.Keys)
        {
            link.Reset();
        }
    }

    /// <summary>Relays new connections again.</summary>
    public void Up() => _down = false;

    /// <summary>Stops forwarding bytes on the connections open now (they stay open); new connections are relayed.</summary>
    public void Freeze()
    {
        foreach (var link in _links.Keys)
        {
            link.Freeze();
        }
    }

    /// <summary>Forwards again on every frozen connection.</summary>
    public void Thaw()
    {
        foreach (var link in _links.Keys)
        {
            link.Thaw();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links.Keys)
        {
            link.Reset();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            if (_down)
            {
                Link.Reset(client);
                continue;
            }

            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException)
            {
                Link.Reset(client);
                server.Dispose();
                continue;
            }

            var link = new Link(client, server);
            _links[link] = 0;
            _ = link.RunAsync().ContinueWith(_ => _links.TryRemove(link, out var _), TaskScheduler.Default);
        }
    }

    private sealed class Link(TcpClient client, TcpClient server)
    {
        private volatile TaskCompletionSource? _frozen;

        public static void Reset(TcpClient socket)
        {
            try
            {
                // Client is null once the link's own end closed it (a race with DisposeAsync): nothing left to reset.
                if (socket.Client is { } open)
                {
                    open.LingerState = new LingerOption(true, 0); // close with RST, as a dead server's host would
                }

                socket.Close();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Reset()
        {
            Reset(client);
            Reset(server);
            Thaw();
        }

        public void Freeze() => _frozen ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Thaw()
        {
            var frozen = _frozen;
            _frozen = null;
            frozen?.TrySetResult();
        }

        public async Task RunAsync()
        {
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
            Reset();
        }

        private async Task PumpAsync(TcpClient from, TcpClient to)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                var input = from.GetStream();
                var output = to.GetStream();
                while (true)
                {
                    var read = await input.ReadAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }

                    while (_frozen is { } frozen)
                    {
                        await frozen.Task;
                    }

                    await output.WriteAsync(buffer.AsMemory(0, read));
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }
}
