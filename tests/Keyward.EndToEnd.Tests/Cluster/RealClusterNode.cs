using System.Text.RegularExpressions;
using Keyward.Client;
using Keyward.EndToEnd.Tests.Processes;

namespace Keyward.EndToEnd.Tests.Cluster;

/// <summary>
/// One node of the <see cref="RealCluster"/>: <c>keyward serve</c> as a real process on its own port and data directory,
/// on the cluster's PostgreSQL database, with the cluster's key-encryption key, CA and installation secret. Killed with
/// SIGKILL and started again on the same port and files by the kill -9 test.
/// </summary>
internal sealed partial class RealClusterNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly IReadOnlyList<string> _arguments;
    private RealProcess? _process;

    public RealClusterNode(int index, string dataDirectory, int port, IReadOnlyList<string> arguments, TlsEndpoint endpoint)
    {
        Index = index;
        DataDirectory = dataDirectory;
        Port = port;
        _arguments = arguments;
        Endpoint = endpoint;
    }

    public int Index { get; }

    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary>This node directly (https://127.0.0.1:port), bypassing the balancer.</summary>
    public TlsEndpoint Endpoint { get; }

    /// <summary>The running process's id.</summary>
    public int ProcessId => (_process ?? throw new InvalidOperationException($"node {Index} is not running")).Id;

    /// <summary>What the process printed so far, for failure messages.</summary>
    public string Output => _process?.Output ?? string.Empty;

    /// <summary>The setup code it printed at its last start, when it issued one (no admin yet).</summary>
    public string? SetupCode { get; private set; }

    /// <summary>Starts <c>keyward serve</c>; returns once <c>/healthz</c> answers over the node's own TLS.</summary>
    public async Task StartAsync(string keyward)
    {
        _process = RealProcess.Start(keyward, _arguments);
        using var http = new HttpClient(Endpoint.CreateHandler()) { BaseAddress = Endpoint.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        using var limit = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"node {Index} (keyward serve) exited at start:\n{_process.Output}");
            }

            try
            {
                using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), limit.Token);
                if (health.IsSuccessStatusCode)
                {
                    // Printed before Kestrel listens, so it is there once /healthz answers.
                    SetupCode = SetupCodeLine().Match(_process.Output) is { Success: true } m ? m.Groups["code"].Value : null;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!limit.IsCancellationRequested)
            {
                // One probe timed out on a busy machine; the overall limit decides.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"node {Index} did not answer /healthz within {StartTimeout.TotalSeconds} s:\n{_process.Output}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    [GeneratedRegex(@"register the first key with setup code (?<code>\S+) ")]
    private static partial Regex SetupCodeLine();
}
