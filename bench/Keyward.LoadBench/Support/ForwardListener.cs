using System.Net;
using System.Net.Sockets;
using Keyward.Cli.Support;

namespace Keyward.LoadBench.Support;

/// <summary>
/// What <c>keyward connect SESSION --forward L:R</c> does (src/Keyward.Cli/Support/ViewerCommands.cs), with the CLI's
/// own <see cref="ViewerSocket"/>: a loopback listener; each accepted connection takes a join token, opens a viewer
/// socket for a TCP stream to port R on the machine, and pipes bytes both ways. It runs in the viewer's own process
/// (<see cref="RelayViewer"/>), so that its CPU is counted apart from Keyward's.
/// </summary>
internal sealed class ForwardListener : IDisposable
{
    private readonly Func<CancellationToken, Task<string>> _joinToken;
    private readonly Uri _viewerUri;
    private readonly HttpMessageInvoker _sockets;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <param name="joinToken">A fresh join token for each connection (the CLI mints one with the technician's session).</param>
    /// <param name="viewerUri">The viewer socket address, with the machine's port.</param>
    /// <param name="sockets">An invoker that trusts Keyward's CA only.</param>
    public ForwardListener(Func<CancellationToken, Task<string>> joinToken, Uri viewerUri, HttpMessageInvoker sockets)
    {
        _joinToken = joinToken;
        _viewerUri = viewerUri;
        _sockets = sockets;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Called with the way a viewer socket ended that was not normal, or a failure to open one.</summary>
    public Action<string>? Problem { get; init; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var join = await _joinToken(_stop.Token);
                await using var socket = await ViewerSocket.ConnectAsync(_viewerUri, join, _sockets, _stop.Token);
                var stream = client.GetStream();
                var end = await socket.RunAsync(
                    (data, c) => stream.WriteAsync(data, c),
                    (buffer, c) => stream.ReadAsync(buffer, c),
                    _ => { },
                    onLocalEnd: null,
                    onActive: null,
                    _stop.Token);
                if (!end.Normal)
                {
                    Problem?.Invoke(end.Describe());
                }
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
            {
                Problem?.Invoke(e.Message);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
