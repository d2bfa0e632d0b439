using System.Diagnostics;
using System.Text;

namespace Keyward.LoadBench.Load;

/// <summary>
/// One connection's loop of the built-in generator: send, read the whole answer, record the latency, repeat until
/// the deadline. A request in flight at the deadline is finished and counted, so the count is exact. A target with
/// an <see cref="Target.ExpectedBodyLength"/> must answer exactly 200 with exactly that many bytes.
/// </summary>
internal sealed class ClosedLoopWorker(HttpMessageInvoker client, Target target, RequestCredential credential)
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
            using var request = new HttpRequestMessage(target.Method, target.Address);
            request.Headers.TryAddWithoutValidation(credential.Header, credential.Value);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                var (head, length) = await DrainAsync(response.Content, cancellationToken);
                var finished = Stopwatch.GetTimestamp();
                if (target.ExpectedBodyLength is { } expected && (response.StatusCode != System.Net.HttpStatusCode.OK || length != expected))
                {
                    // A 200 from the vault carries the secret: only a refusal's body (problem+json) is shown.
                    var shown = response.StatusCode == System.Net.HttpStatusCode.OK ? "(body not shown)" : Encoding.UTF8.GetString(_buffer, 0, Math.Min(head, ErrorBodyLimit));
                    Fail($"HTTP {(int)response.StatusCode} with {length} bytes from {target.Address}, not 200 with {expected}: {shown}");
                }
                else if (response.IsSuccessStatusCode)
                {
                    _latencies.Add(finished - started);
                }
                else
                {
                    Fail($"HTTP {(int)response.StatusCode} from {target.Address}: {Encoding.UTF8.GetString(_buffer, 0, Math.Min(head, ErrorBodyLimit))}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                Fail($"{e.GetType().Name} from {target.Address}: {e.Message}");
            }
        }
    }

    /// <summary>Reads the body to its end so the connection goes back to the pool; returns the length of the first read and of the whole body.</summary>
    private async Task<(int First, long Total)> DrainAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var body = await content.ReadAsStreamAsync(cancellationToken);
        var first = await body.ReadAsync(_buffer, cancellationToken);
        long total = first;
        if (first > 0)
        {
            int read;
            while ((read = await body.ReadAsync(_rest, cancellationToken)) > 0)
            {
                total += read;
            }
        }

        return (first, total);
    }

    private void Fail(string error)
    {
        Failed++;
        FirstError ??= error;
    }
}
