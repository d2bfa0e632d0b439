using System.Collections.Concurrent;
using Keyward.Server.Cluster;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Keyward.Server.Tests.Cluster;

/// <summary>
/// PostgreSQL down (issue 13 item 7, "refuse, never guess"): a node reaches the database through a <see cref="TcpRelay"/>
/// the test takes away (every connection reset, every new one refused) and gives back. Meanwhile every request that needs
/// the database, including a proxied request and a WebSocket upgrade whose session or ticket this node had already seen,
/// is refused with 503 <c>storage_unavailable</c>; none is let through from a cache, because the revocation listener is
/// down too. When the database is back the same node serves again, no restart. The clock is fake and never moves, so only
/// the fail-closed rule (not an expiring cache entry) can make the node read the database.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class PostgresDownTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    // Trust authentication ignores it; it is here so the test can show it never reaches a log line or a response.
    private static readonly string Password = "pw-" + Guid.NewGuid().ToString("N");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly ConcurrentQueue<string> _logs = new();
    private SocketUpstream? _upstream;
    private TcpRelay? _relay;
    private ClusterNodes? _cluster;
    private KeywardTestClient? _client;

    public async Task InitializeAsync() => _upstream = await SocketUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _relay?.Up();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task PostgresDown_Refuses503StorageUnavailable_EvenForCachedSessions_AndServesAgainWhenBack()
    {
        var (client, listener) = await StartAsync();
        var admin = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        // The upstream answers a plain GET with 400: the session was accepted and the request relayed.
        Assert.Equal(400, (await client.ProxyAsync("/sockets/x", admin.Token)).StatusCode);
        var ticket = await client.TicketAsync(admin, "sockets");

        _relay!.Down();
        Assert.True(await UntilAsync(() => Task.FromResult(listener.Losses >= 1)), "the revocation listener did not notice the database was gone");

        var status = await client.StatusAsync(admin.Token);
        ProblemAssert.Problem(status, 503, "storage_unavailable");
        Assert.Equal("5", Assert.Single(status.Headers.GetValues("Retry-After")));
        Assert.Equal(["max-age=31536000"], status.Headers.GetValues("Strict-Transport-Security"));
        Assert.DoesNotContain("Npgsql", status.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", status.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, status.Body, StringComparison.Ordinal);

        // Seen and accepted a moment ago, but not honoured now: the proxy and the socket gate refuse too.
        ProblemAssert.Problem(await client.ProxyAsync("/sockets/x", admin.Token), 503, "storage_unavailable");
        var (socket, upgrade) = await client.TryOpenAsync($"/sockets/x?ticket={ticket}");
        socket?.Dispose();
        Assert.Equal(503, upgrade);

        var logged = _logs.Where(l => l.Contains("storage_unavailable", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(logged);
        Assert.DoesNotContain(_logs, l => l.Contains(Password, StringComparison.Ordinal));
        Assert.DoesNotContain(logged, l => l.Contains("Host=", StringComparison.OrdinalIgnoreCase) || l.Contains("Username", StringComparison.OrdinalIgnoreCase));

        _relay.Up();
        Assert.True(await UntilAsync(() => Task.FromResult(listener.IsConnected)), "the revocation listener did not connect again");
        // Connections the outage broke may still sit in the pool and fail once each; the node recovers without a restart.
        Assert.True(await UntilAsync(async () => (await client.StatusAsync(admin.Token)).StatusCode == 200), "the node did not serve again once the database was back");
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
        Assert.Equal(400, (await client.ProxyAsync("/sockets/x", admin.Token)).StatusCode);
        var again = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.StatusAsync(again.Token));
    }

    private async Task<(KeywardTestClient Client, RevocationListener Listener)> StartAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        _relay = TcpRelay.Start(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _relay.Port, Password = Password }.ConnectionString;
        var settings = new Dictionary<string, string>
        {
            ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
            ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
            ["Keyward:Cluster:ListenerReconnectDelay"] = "00:00:00.2",
            ["Keyward:Routes:sockets:Path"] = "/sockets/{**rest}",
            ["Keyward:Routes:sockets:Upstream"] = _upstream!.Address.ToString(),
            ["Keyward:Routes:sockets:WebSocket:Enabled"] = "true",
        };
        _cluster = await ClusterNodes.StartAsync(relayed, 1, settings, _time, (_, services) => services.AddSingleton<ILoggerProvider>(new CapturingProvider(_logs)));
        _client = _cluster[0].CreateClient();
        await _client.RegisterAdminAsync(_cluster[0].SetupCode!);
        var listener = _cluster[0].GetRequiredService<RevocationListener>();
        Assert.True(await UntilAsync(() => Task.FromResult(listener.IsConnected)), "the revocation listener did not connect");
        return (_client, listener);
    }

    // Asks again every 50 ms until the condition holds or Patience runs out (real time: the fake clock never moves).
    private static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < Patience)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await condition();
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // The message, every structured value and the exception, as any sink would write them.
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
                lines.Enqueue($"{logLevel} {eventId.Id} {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
