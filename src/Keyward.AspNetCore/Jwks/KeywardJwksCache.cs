using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Keyward.AspNetCore;

/// <summary>
/// Fetches and caches Keyward's JWKS. Process-local by design: every service instance keeps its own copy.
/// <list type="bullet">
/// <item>A fetched set is used for <c>JwksCacheLifetime</c>; the first request after that fetches again.</item>
/// <item>An assertion with an unknown <c>kid</c> (a rotated key) may cause one fetch per
/// <c>JwksRefreshMinimumInterval</c>, so random kids cannot turn this service into a load generator against Keyward.</item>
/// <item>Fetches are single-flight: concurrent callers await the one fetch in progress.</item>
/// <item>A failed fetch keeps the last good set (keys are not dropped because Keyward is briefly unreachable)
/// and is not retried before <c>JwksRefreshMinimumInterval</c> has passed.</item>
/// </list>
/// All times come from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class KeywardJwksCache
{
    /// <summary>A JWKS larger than this is refused: Keyward's holds a handful of keys.</summary>
    public const int MaxDocumentBytes = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheLifetime;
    private readonly TimeSpan _refreshMinimumInterval;
    private readonly ILogger _logger;

    private KeywardKeySet? _current;
    private Task<KeywardKeySet?>? _inflight;
    private long? _lastUnknownKeyRefresh;
    private long? _lastFailure;

    public KeywardJwksCache(HttpClient http, Uri jwksUri, TimeProvider time, TimeSpan cacheLifetime, TimeSpan refreshMinimumInterval, ILogger logger)
    {
        _http = http;
        JwksUri = jwksUri;
        _time = time;
        _cacheLifetime = cacheLifetime;
        _refreshMinimumInterval = refreshMinimumInterval;
        _logger = logger;
    }

    public Uri JwksUri { get; }

    /// <summary>The cached set while it is fresh, else the result of a (shared) fetch; null when no keys are known.</summary>
    public Task<KeywardKeySet?> GetKeysAsync(CancellationToken cancellationToken)
    {
        Task<KeywardKeySet?> task;
        lock (_lock)
        {
            if (_inflight is not null)
            {
                task = _inflight;
            }
            else if (_current is not null && _time.GetUtcNow() - _current.FetchedAt < _cacheLifetime)
            {
                return Task.FromResult<KeywardKeySet?>(_current);
            }
            else if (RecentlyFailed())
            {
                return Task.FromResult(_current);
            }
            else
            {
                task = StartFetch();
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Fetches again because an assertion named a kid that <paramref name="known"/> lacks, unless a fetch is already
    /// under way (then it is shared), a newer set is already cached, or the rate limit forbids it.
    /// </summary>
    public Task<KeywardKeySet?> RefreshForUnknownKeyAsync(KeywardKeySet? known, string kid, CancellationToken cancellationToken)
    {
        Task<KeywardKeySet?> task;
        lock (_lock)
        {
            if (_inflight is not null)
            {
                task = _inflight;
            }
            else if (!ReferenceEquals(_current, known))
            {
                // Another request refreshed while this one was looking; use its result.
                return Task.FromResult(_current);
            }
            else if (_lastUnknownKeyRefresh is { } last && _time.GetElapsedTime(last) < _refreshMinimumInterval)
            {
                _logger.JwksRefreshRateLimited(LogSafe.Kid(kid), _refreshMinimumInterval - _time.GetElapsedTime(last));
                return Task.FromResult(_current);
            }
            else
            {
                _logger.JwksRefreshForUnknownKey(LogSafe.Kid(kid));
                _lastUnknownKeyRefresh = _time.GetTimestamp();
                task = StartFetch();
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    private bool RecentlyFailed() => _lastFailure is { } failed && _time.GetElapsedTime(failed) < _refreshMinimumInterval;

    // Called under _lock. Task.Run makes the fetch complete asynchronously, so its finally (which takes the lock)
    // always runs after _inflight has been assigned. The fetch itself is never cancelled by one caller: others share it.
    private Task<KeywardKeySet?> StartFetch() => _inflight = Task.Run(FetchAsync, CancellationToken.None);

    private async Task<KeywardKeySet?> FetchAsync()
    {
        KeywardKeySet? fetched = null;
        try
        {
            fetched = await FetchCoreAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or InvalidDataException)
        {
            _logger.JwksFetchFailed(JwksUri, ex.GetType().Name, ex.Message);
        }
        finally
        {
            lock (_lock)
            {
                if (fetched is not null)
                {
                    _current = fetched;
                    _lastFailure = null;
                }
                else
                {
                    _lastFailure = _time.GetTimestamp();
                }

                _inflight = null;
            }
        }

        // Stryker disable once Equality,Block : log only, this branch only writes the JwksKeepingStaleKeys line
        if (fetched is null && _current is { } stale)
        {
            _logger.JwksKeepingStaleKeys(stale.Keys.Count, stale.FetchedAt);
        }

        // Stryker disable once NullCoalescing : equivalent, the finally above has already set _current to a fetched set, so both are the same
        return fetched ?? _current;
    }

    private async Task<KeywardKeySet?> FetchCoreAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, JwksUri);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            _logger.JwksFetchFailed(JwksUri, "HttpStatus", ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }

        var body = await ReadLimitedAsync(response.Content).ConfigureAwait(false);
        var keys = JwksParser.Parse(body, (kid, reason) => _logger.JwksKeySkipped(LogSafe.Kid(kid), reason));
        if (keys.Count == 0)
        {
            // An empty set would make every assertion untrusted; keep what was cached and retry later instead.
            _logger.JwksFetchFailed(JwksUri, "NoUsableKeys", "the JWKS holds no EC P-256 ES256 signing key with a kid");
            return null;
        }

        var set = new KeywardKeySet(keys, _time.GetUtcNow());
        _logger.JwksFetched(JwksUri, keys.Count, string.Join(",", keys.Keys.Select(LogSafe.Kid)));
        return set;
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content)
    {
        if (content.Headers.ContentLength > MaxDocumentBytes)
        {
            // Stryker disable once Statement : equivalent, an early refusal only; the read loop below refuses the same body at the same size
            throw new InvalidDataException($"The JWKS is larger than {MaxDocumentBytes} bytes.");
        }

        var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxDocumentBytes)
                {
                    throw new InvalidDataException($"The JWKS is larger than {MaxDocumentBytes} bytes.");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }
}
