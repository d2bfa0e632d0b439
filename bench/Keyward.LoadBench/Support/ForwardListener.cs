using System.Net;
using System.Net.Sockets;
using Keyward.Cli.Support;
using Keyward.Testing.Hosting;

namespace Keyward.LoadBench.Support;

/// <summary>
/// What <c>keyward connect SESSION --forward L:R</c> does (src/Keyward.Cli/Support/ViewerCommands.cs), with the CLI's
/// own <see cref="ViewerSocket"/>: a loopback listener; each accepted connection mints a join token with the
/// technician's session, opens a viewer socket for a TCP stream to port R on the machine, and pipes bytes both ways.
/// </summary>
internal sealed class ForwardListener : IDisposable
{
    private readonly SupportBed _bed;
    private readonly TestSession _technician;
    private readonly Guid _session;
    private readonly int _remotePort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ForwardListener(SupportBed bed, TestSession technician, Guid session, int remotePort)
    {
        _bed = bed;
        _technician = technician;
        _session = session;
        _remotePort = remotePort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The last way a viewer socket ended that was not normal, or a failure to open one (null: none).</summary>
    public string? LastProblem { get; private set; }

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
                var join = await _bed.JoinTokenAsync(_technician, _session);
                await using var socket = await ViewerSocket.ConnectAsync(_bed.ViewerUri(_session, _remotePort), join, _bed.Sockets, _stop.Token);
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
                    LastProblem = end.Describe();
                }
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
            {
                LastProblem = e.Message;
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
