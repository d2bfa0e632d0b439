using System.Net;
using Keyward.Client;

namespace Keyward.Cli.Broker;

/// <summary>
/// One node of <c>keyward demo cluster</c>: <c>keyward serve</c> as a child process with its own data directory and
/// port, and a client that talks to it directly (not through the balancer), as a page on the public origin would.
/// Kill is <c>kill -9</c> (SIGKILL of the process tree); Start again runs it with the same arguments and port.
/// </summary>
internal sealed class ClusterDemoNode(string name, int port, string dataDirectory, string origin, string caFile, IReadOnlyList<string> settings) : IAsyncDisposable
{
    private readonly HttpClient _http = CaTrust.CreateHttpClient(new Uri($"https://localhost:{port}"), caFile);
    private DemoChild? _serve;

    public string Name => name;

    public int Port => port;

    public string DataDirectory => dataDirectory;

    /// <summary>Straight to this node, with the public origin as the Origin its requests carry.</summary>
    public KeywardClient Client => new(_http, new KeywardClientOptions { Origin = origin });

    public DemoChild Serve => _serve ?? throw new InvalidOperationException($"node {name} is not running");

    public bool IsRunning => _serve is not null;

    /// <summary>Starts <c>keyward serve</c> and waits until <c>/readyz</c> answers 200 (storage migrated, keys opened).</summary>
    public async Task StartAsync(TimeSpan bound, CancellationToken ct)
    {
        _serve = DemoChild.Start(
            $"node {name} (keyward serve)",
            ["serve", "--data-dir", dataDirectory, "--listen", $"https://127.0.0.1:{port}", .. settings]);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(bound);
        while (true)
        {
            if (_serve.HasExited)
            {
                throw new InvalidOperationException($"node {name} exited: {_serve.Tail()}");
            }

            try
            {
                using var ready = await _http.GetAsync(new Uri("/readyz", UriKind.Relative), limit.Token).ConfigureAwait(false);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"node {name} was not ready within {bound.TotalSeconds:0} s; it said: {_serve.Tail()}");
            }

            try
            {
                await Task.Delay(100, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"node {name} was not ready within {bound.TotalSeconds:0} s; it said: {_serve.Tail()}");
            }
        }
    }

    /// <summary><c>kill -9</c>: the process and its children end at once, without any shutdown of their own.</summary>
    public async Task KillAsync()
    {
        if (_serve is { } serve)
        {
            _serve = null;
            await serve.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _http.Dispose();
    }
}
