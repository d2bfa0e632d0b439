using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Keyward.LoadBench.Trivial;

/// <summary>
/// Debian's nginx as a child of the bench: its configuration written into the bench's temporary directory and run
/// with <c>-p</c>/<c>-c</c> and <c>daemon off</c> (no system service, no files outside that directory). Two servers,
/// both terminating TLS with the certificate every front end uses: <c>proxy_pass</c> alone, and <c>auth_request</c>
/// to the trivial upstream's <c>/auth</c> then <c>proxy_pass</c>. Both reach the upstream over TLS (verified against
/// the bench CA) on HTTP/1.1 keep-alive connections, the usual production setting.
/// </summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    /// <summary>How to get nginx when it is missing; the bench prints it and skips the nginx front ends.</summary>
    public const string InstallHint = "apt-get install -y nginx-light (or nginx)";

    private readonly Process _process;

    private NginxProcess(Process process) => _process = process;

    /// <summary>nginx on PATH or in /usr/sbin (Debian's place, often not on a user's PATH), or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, "nginx"))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// CPU time of the master and its workers so far. Workers live for the whole run, so their own counters in
    /// <c>/proc/&lt;pid&gt;/stat</c> (not the reaped-children figure) hold their time.
    /// </summary>
    public TimeSpan CpuTime
    {
        get
        {
            var master = _process.Id;
            var ticks = 0L;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

                    // After comm: state(0) ppid(1) … utime(11) stime(12), 0-based (proc(5) fields 14 and 15).
                    var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
                    if (pid == master || ppid == master)
                    {
                        ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // A process that ended between the listing and the read.
                }
            }

            return TimeSpan.FromSeconds(ticks / 100.0);
        }
    }

    /// <summary>Writes the configuration, starts nginx and waits until both ports accept connections.</summary>
    public static async Task<NginxProcess> StartAsync(NginxSettings settings, CancellationToken cancellationToken)
    {
        var prefix = Path.Combine(settings.Directory, "nginx");
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(settings, prefix), cancellationToken);

        var info = new ProcessStartInfo(settings.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-p", prefix + "/", "-c", config, "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nginx");
        var nginx = new NginxProcess(process);
        var clock = Stopwatch.StartNew();
        foreach (var port in new[] { settings.ProxyPort, settings.AuthPort })
        {
            while (!await AcceptsAsync(port, cancellationToken))
            {
                if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(15))
                {
                    var log = Path.Combine(prefix, "error.log");
                    var tail = File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(5)) : string.Empty;
                    await nginx.DisposeAsync();
                    throw new InvalidOperationException($"nginx did not start: {await process.StandardError.ReadToEndAsync(cancellationToken)} {tail}");
                }

                await Task.Delay(50, cancellationToken);
            }
        }

        return nginx;
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Config(NginxSettings s, string prefix)
    {
        var temp = Path.Combine(prefix, "temp");
        var tls = $"""
                    ssl_certificate {s.CertificateFile};
                    ssl_certificate_key {s.KeyFile};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    keepalive_requests 1000000;
            """;

        // HTTP/1.1 with the Connection header cleared keeps the upstream connections alive (nginx's default is 1.0).
        // keepalive_requests on both sides: nginx would otherwise close a connection after 1,000 requests, and the
        // new TLS handshakes would be charged to nginx while Kestrel and YARP keep theirs open.
        var upstreamTls = $"""
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_ssl_verify on;
                        proxy_ssl_trusted_certificate {s.CaFile};
                        proxy_ssl_name localhost;
                        proxy_ssl_session_reuse on;
            """;
        return $$"""
            # Written by Keyward.LoadBench for one run; deleted with its temporary directory.
            worker_processes auto;
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
                upstream trivial {
                    server 127.0.0.1:{{s.UpstreamPort}};
                    keepalive 64;
                    keepalive_requests 1000000;
                }
                server {
                    listen 127.0.0.1:{{s.ProxyPort}} ssl;
            {{tls}}
                    location / {
                        proxy_pass https://trivial;
            {{upstreamTls}}
                    }
                }
                server {
                    listen 127.0.0.1:{{s.AuthPort}} ssl;
            {{tls}}
                    location / {
                        auth_request /_auth;
                        proxy_pass https://trivial;
            {{upstreamTls}}
                    }
                    location = /_auth {
                        internal;
                        proxy_pass https://trivial/auth;
                        proxy_pass_request_body off;
                        proxy_set_header Content-Length "";
            {{upstreamTls}}
                    }
                }
            }
            """;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The master and its workers together (SIGKILL): nothing of theirs outlives the run but the temporary directory, deleted next.
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
