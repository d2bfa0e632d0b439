using System.Diagnostics;
using Keyward.Client;
using Keyward.LoadBench.Hosting;

namespace Keyward.LoadBench.Load;

/// <summary>
/// The built-in generator: <see cref="SocketsHttpHandler"/> over HTTP/1.1 keep-alive, one handler per target kept
/// across rounds (so TLS handshakes happen in the warm-up), C workers each owning one connection, exact latencies
/// sorted for exact percentiles. It runs in the bench process, beside Keyward and the plain proxy.
/// </summary>
internal sealed class ClosedLoopGenerator(string caFile) : ILoadGenerator
{
    private readonly Dictionary<string, HttpMessageInvoker> _clients = new(StringComparer.Ordinal);

    public string Description => "built-in (SocketsHttpHandler, HTTP/1.1 keep-alive, in the bench process)";

    public bool CountsEveryRequest => true;

    public async Task<RunResult> RunAsync(Target target, RequestCredential credential, TimeSpan duration, int connections, CancellationToken cancellationToken)
    {
        var client = Client(target, connections);
        var workers = Enumerable.Range(0, connections).Select(_ => new ClosedLoopWorker(client, target, credential)).ToArray();
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(deadline, cancellationToken), CancellationToken.None)));
        var elapsed = Stopwatch.GetElapsedTime(started);

        var latencies = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        return new RunResult(
            latencies.LongLength,
            workers.Sum(w => w.Failed),
            elapsed,
            Milliseconds(Percentiles.Of(latencies, 0.50)),
            Milliseconds(Percentiles.Of(latencies, 0.99)),
            workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null));
    }

    private HttpMessageInvoker Client(Target target, int connections)
    {
        if (!_clients.TryGetValue(target.Name, out var client))
        {
            var handler = new SocketsHttpHandler
            {
                UseCookies = false,
                UseProxy = false,
                AllowAutoRedirect = false,
                MaxConnectionsPerServer = connections,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            };
            handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(caFile);

            // *.localhost targets (route hosts) connect to loopback, as a browser would; pooled, so once per connection.
            HostResolution.Default.Apply(handler);
            client = new HttpMessageInvoker(handler, disposeHandler: true);
            _clients[target.Name] = client;
        }

        return client;
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }
}
