using System.Diagnostics;
using System.Net.Sockets;

namespace Keyward.Cli.Broker;

/// <summary>
/// The balancer of <c>keyward demo cluster</c>: Debian's nginx as a child process, its configuration written into the
/// demo's temporary directory and run with <c>-p</c>/<c>-c</c> and <c>daemon off</c> (no system service, no file outside
/// that directory). It terminates TLS with a certificate from Keyward's local CA, sends each request round-robin to the
/// nodes over TLS (verified against the same CA), passes WebSocket upgrades, and names the node that answered in the
/// response header <see cref="NodeHeader"/> (its address), so the demo can see where a request landed.
/// </summary>
internal sealed class ClusterDemoNginx
{
    /// <summary>The exact command that installs nginx (Debian and Ubuntu).</summary>
    public const string InstallCommand = "sudo apt-get install -y nginx";

    /// <summary>The response header carrying the answering node's address (<c>127.0.0.1:port</c>).</summary>
    public const string NodeHeader = "X-Demo-Upstream";

    private readonly Process _process;
    private int _stopped;

    private ClusterDemoNginx(Process process) => _process = process;

    /// <summary>nginx on PATH or in /usr/sbin (Debian's place, often not on a user's PATH), or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "nginx"))
            .FirstOrDefault(File.Exists);

    /// <summary>Writes the configuration into <paramref name="prefix"/>, starts nginx and waits until it accepts connections.</summary>
    public static async Task<ClusterDemoNginx> StartAsync(
        string executable, string prefix, int port, IReadOnlyList<int> nodePorts, string certificate, string key, string caFile, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        var config = Path.Combine(prefix, "nginx.conf");
        var errorLog = Path.Combine(prefix, "error.log");
        await File.WriteAllTextAsync(config, Config(prefix, port, nodePorts, certificate, key, caFile), ct).ConfigureAwait(false);
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-p", prefix + "/", "-c", config, "-e", errorLog, "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nginx");
        var nginx = new ClusterDemoNginx(process);
        var clock = Stopwatch.StartNew();
        while (!await AcceptsAsync(port, ct).ConfigureAwait(false))
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                nginx.Stop();
                var tail = File.Exists(errorLog) ? string.Join(" | ", File.ReadLines(errorLog).TakeLast(5)) : string.Empty;
                throw new InvalidOperationException($"nginx did not start: {tail}");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        return nginx;
    }

    /// <summary>Kills the master and its workers. Synchronous and safe to call twice (it also runs from ProcessExit).</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, ct).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Config(string prefix, int port, IReadOnlyList<int> nodePorts, string certificate, string key, string caFile)
    {
        var temp = Path.Combine(prefix, "temp");

        // max_fails/fail_timeout: a node that refuses connections (killed) is skipped for 2 s, then tried again, so a
        // restarted node takes traffic soon. A request nginx could not send to a node goes to the next one; a POST
        // that reached a node that then died is not repeated (nginx's default for non-idempotent methods), so the
        // client sees the failure and never has a write applied twice behind its back.
        var servers = string.Join("\n", nodePorts.Select(p => $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;"));
        return $$"""
            # Written by keyward demo cluster for one run; deleted with its temporary directory.
            worker_processes 1;
            pid {{Path.Combine(prefix, "nginx.pid")}};
            error_log {{Path.Combine(prefix, "error.log")}} warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                map $http_upgrade $connection_upgrade {
                    default upgrade;
                    '' '';
                }
                upstream keyward {
            {{servers}}
                    keepalive 32;
                }
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificate}};
                    ssl_certificate_key {{key}};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    location / {
                        proxy_pass https://keyward;
                        proxy_http_version 1.1;
                        proxy_set_header Host $http_host;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_ssl_verify on;
                        proxy_ssl_trusted_certificate {{caFile}};
                        proxy_ssl_name localhost;
                        proxy_ssl_server_name on;
                        proxy_ssl_session_reuse on;
                        proxy_read_timeout 300s;
                        add_header {{NodeHeader}} $upstream_addr always;
                    }
                }
            }
            """;
    }
}
