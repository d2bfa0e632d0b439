using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Keyward.Client;

namespace Keyward.LoadBench.Support;

/// <summary>
/// The baseline relay: socat when it is on PATH, started for each transfer as
/// <c>socat TCP-LISTEN:P,bind=127.0.0.1,reuseaddr TCP:127.0.0.1:S</c> (plain TCP, no TLS; it serves one connection and
/// exits, so its CPU is read from this process's reaped children, as wrk's is in the load run). Otherwise a minimal
/// in-process relay (two <see cref="Stream.CopyToAsync(Stream)"/>), whose CPU is this process's.
/// </summary>
internal sealed class PlainRelay : IDisposable
{
    private readonly string? _socat;
    private readonly int _target;
    private readonly TcpListener? _listener;
    private readonly CancellationTokenSource _stop = new();
    private Process? _running;

    private PlainRelay(int port, int target, string description, string? socat, TcpListener? listener)
    {
        Port = port;
        _target = target;
        Description = description;
        _socat = socat;
        _listener = listener;
    }

    public int Port { get; }

    public string Description { get; }

    public static PlainRelay Start(int target)
    {
        var socat = FindSocat();
        if (socat is null)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var relay = new PlainRelay(((IPEndPoint)listener.LocalEndpoint).Port, target, "an in-process TCP relay (socat is not on PATH)", null, listener);
            _ = relay.AcceptAsync(listener, target);
            return relay;
        }

        return new PlainRelay(FreePort.Next(), target, "socat " + Version(socat) + ", one process per transfer", socat, null);
    }

    /// <summary>Starts socat for one connection (the client retries its connect until socat listens); nothing in-process.</summary>
    public void Begin()
    {
        if (_socat is null)
        {
            return;
        }

        var start = new ProcessStartInfo(_socat)
        {
            ArgumentList = { $"TCP-LISTEN:{Port},bind=127.0.0.1,reuseaddr", $"TCP:127.0.0.1:{_target}" },
            UseShellExecute = false,
        };
        _running = Process.Start(start) ?? throw new InvalidOperationException("socat did not start");
    }

    /// <summary>Waits for this transfer's socat to exit (it has been reaped when this returns).</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        if (_running is null)
        {
            return;
        }

        using var running = _running;
        _running = null;
        await running.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (running.ExitCode != 0)
        {
            throw new InvalidOperationException($"socat exited with {running.ExitCode}");
        }
    }

    private static string? FindSocat() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "socat")).FirstOrDefault(File.Exists);

    private static string Version(string socat)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(socat, "-V") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var line = p.StandardOutput.ReadToEnd().Split('\n').FirstOrDefault(l => l.Contains("socat version", StringComparison.Ordinal));
            p.WaitForExit(5000);
            return line?.Trim().Replace("socat version ", string.Empty, StringComparison.Ordinal).Split(' ')[0] ?? string.Empty;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }

    private async Task AcceptAsync(TcpListener listener, int target)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                using (var upstream = new TcpClient())
                {
                    try
                    {
                        await upstream.ConnectAsync(IPAddress.Loopback, target, _stop.Token);
                        var a = client.GetStream();
                        var b = upstream.GetStream();
                        await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
                    {
                    }
                }
            });
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Stop();
        if (_running is { HasExited: false })
        {
            _running.Kill(entireProcessTree: true);
            _running.WaitForExit(5000);
        }

        _running?.Dispose();
        _stop.Dispose();
    }
}
