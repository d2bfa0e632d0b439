using System.Diagnostics;
using System.Text;

namespace Keyward.LoadBench.Load;

/// <summary>
/// One connection's loop of the built-in generator: send, read the whole answer, record the latency, repeat until
/// the deadline. A request in flight at the deadline is finished and counted, so the count is exact.
/// </summary>
internal sealed class ClosedLoopWorker(HttpMessageInvoker client, Uri address, RequestCredential credential)
{
    private const int ErrorBodyLimit = 300;

    private readonly List<long> _latencies = new(capacity: 16 * 1024);
    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _rest = new byte[4096];

    /// <summary>Latencies of successful requests, in <see cref="Stopwatch"/> ticks.</summary>
    public List<long> Latencies => _latencies;

    public long Failed { get; private set; }

    public string? FirstError { get; private set; }

    public async Task RunAsync(long deadline, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, address);
            request.Headers.TryAddWithoutValidation(credential.Header, credential.Value);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                var head = await DrainAsync(response.Content, cancellationToken);
                var finished = Stopwatch.GetTimestamp();
                if (response.IsSuccessStatusCode)
                {
                    _latencies.Add(finished - started);
                }
                else
                {
                    Fail($"HTTP {(int)response.StatusCode} from {address}: {Encoding.UTF8.GetString(_buffer, 0, Math.Min(head, ErrorBodyLimit))}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                Fail($"{e.GetType().Name} from {address}: {e.Message}");
            }
        }
    }

    /// <summary>Reads the body to its end so the connection goes back to the pool; returns the length of the first read.</summary>
    private async Task<int> DrainAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        var first = await body.ReadAsync(_buffer, cancellationToken);
        if (first > 0)
        {
            while (await body.ReadAsync(_rest, cancellationToken) > 0)
            {
            }
        }

        return first;
    }

    private void Fail(string error)
    {
        Failed++;
        FirstError ??= error;
    }
}
