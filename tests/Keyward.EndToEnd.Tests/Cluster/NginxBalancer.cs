using System.Net.Sockets;
using Keyward.EndToEnd.Tests.Processes;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// Debian's nginx as the <see cref="RealCluster"/>'s round-robin balancer, a child of the test run: its configuration
/// written into the cluster's temporary directory and run with <c>-p</c>/<c>-c</c> and <c>daemon off</c> (never the
/// distribution's service). It terminates TLS with a certificate from the cluster's local CA and reaches the nodes over
/// TLS verified against that CA. A POST that reached a node is never sent to another (<c>proxy_next_upstream</c>
/// without <c>non_idempotent</c>), so a retried write cannot be applied twice; a node that refuses the connection is
/// skipped. WebSocket upgrades are passed through.
/// </summary>
internal sealed class NginxBalancer : IAsyncDisposable
{
    /// <summary>How to get nginx when it is missing (.ci/run installs it).</summary>
    public const string InstallHint = "apt-get install -y nginx-light (or nginx); .ci/run installs it";

    private readonly RealProcess _process;

    private NginxBalancer(RealProcess process) => _process = process;

    /// <summary>nginx on PATH or in /usr/sbin (Debian's place, often not on a user's PATH), or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "nginx"))
            .FirstOrDefault(File.Exists);

    /// <summary>Writes the configuration into <paramref name="directory"/>, starts nginx and waits until <paramref name="port"/> accepts.</summary>
    public static async Task<NginxBalancer> StartAsync(string directory, int port, IReadOnlyList<int> nodePorts, string certificateFile, string keyFile, string caFile)
    {
        var nginx = Find() ?? throw new InvalidOperationException($"nginx is not installed: {InstallHint}.");
        var prefix = Path.Combine(directory, "nginx");
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(prefix, port, nodePorts, certificateFile, keyFile, caFile));
        var process = RealProcess.StartProgram(nginx, ["-p", prefix + "/", "-c", config, "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;"], null, prefix);
        var balancer = new NginxBalancer(process);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await AcceptsAsync(port))
        {
            if (process.HasExited || limit.IsCancellationRequested)
            {
                var log = Path.Combine(prefix, "error.log");
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : string.Empty;
                await balancer.DisposeAsync();
                throw new InvalidOperationException($"nginx did not start:\n{process.Output}\n{tail}");
            }

            await Task.Delay(50, CancellationToken.None);
        }

        return balancer;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Config(string prefix, int port, IReadOnlyList<int> nodePorts, string certificateFile, string keyFile, string caFile)
    {
        var temp = Path.Combine(prefix, "temp");
        var servers = string.Join("\n", nodePorts.Select(p => $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;"));
        return $$"""
            # Written by the real-cluster tests for one run; deleted with its temporary directory.
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
                    ''      '';
                }
                upstream keyward {
            {{servers}}
                }
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{certificateFile}};
                    ssl_certificate_key {{keyFile}};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    location / {
                        proxy_pass https://keyward;
                        # Keyward answers only on its public origin's host: pass the client's Host on.
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_read_timeout 1h;
                        proxy_send_timeout 1h;
                        # Try the next node only when the connection failed before the request was sent; never for a POST
                        # a node may already have applied (no non_idempotent), and never on a timeout.
                        proxy_next_upstream error;
                        proxy_next_upstream_tries 3;
                        proxy_max_temp_file_size 0;
                        proxy_ssl_verify on;
                        proxy_ssl_trusted_certificate {{caFile}};
                        proxy_ssl_name localhost;
                        proxy_ssl_server_name on;
                    }
                }
            }
            """;
    }
}
