using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Keyward.Client;

namespace Keyward.LoadBench.Support;

/// <summary>
/// The baseline relay: <c>socat TCP-LISTEN:P,fork TCP:127.0.0.1:S</c> when socat is on PATH (a process per
/// connection, plain TCP, no TLS), otherwise a minimal in-process relay (two <see cref="Stream.CopyToAsync(Stream)"/>).
/// </summary>
internal sealed class PlainRelay : IDisposable
{
    private readonly Process? _socat;
    private readonly TcpListener? _listener;
    private readonly CancellationTokenSource _stop = new();

    private PlainRelay(int port, string description, Process? socat, TcpListener? listener)
    {
        Port = port;
        Description = description;
        _socat = socat;
        _listener = listener;
    }

    public int Port { get; }

    public string Description { get; }

    /// <summary>
    /// CPU used so far by socat and its reaped per-connection children (<c>utime + stime + cutime + cstime</c> of
    /// <c>/proc/PID/stat</c>); zero for the in-process relay, whose CPU is this process's.
    /// </summary>
    public TimeSpan Cpu()
    {
        if (_socat is null || !File.Exists($"/proc/{_socat.Id}/stat"))
        {
            return TimeSpan.Zero;
        }

        var stat = File.ReadAllText($"/proc/{_socat.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

        // proc(5) fields 14-17 (utime, stime, cutime, cstime) are 11-14 after comm, 0-based; in USER_HZ (100) ticks.
        var ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public static async Task<PlainRelay> StartAsync(int target, CancellationToken cancellationToken)
    {
        var socat = FindSocat();
        if (socat is null)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var relay = new PlainRelay(((IPEndPoint)listener.LocalEndpoint).Port, "in-process TCP relay (socat not on PATH)", null, listener);
            _ = relay.AcceptAsync(listener, target);
            return relay;
        }

        var port = FreePort.Next();
        var start = new ProcessStartInfo(socat)
        {
            ArgumentList = { $"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", $"TCP:127.0.0.1:{target}" },
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("socat did not start");
        var plain = new PlainRelay(port, "socat " + Version(socat) + " (a forked process per connection)", process, null);
        await plain.WaitListeningAsync(cancellationToken);
        return plain;
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

    private async Task WaitListeningAsync(CancellationToken cancellationToken)
    {
        // A probe that closes before sending its request byte gets nothing from the source.
        for (var i = 0; i < 100; i++)
        {
            if (_socat!.HasExited)
            {
                throw new InvalidOperationException("socat exited: " + await _socat.StandardError.ReadToEndAsync(cancellationToken));
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new TimeoutException($"socat did not listen on {Port} within 5 s");
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
        if (_socat is { HasExited: false })
        {
            _socat.Kill(entireProcessTree: true);
            _socat.WaitForExit(5000);
        }

        _socat?.Dispose();
        _stop.Dispose();
    }
}
