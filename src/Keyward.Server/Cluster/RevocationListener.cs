using Keyward.Core.Agents;
using Keyward.Core.Cluster;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Core.Support;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Keyward.Server.Cluster;

/// <summary>
/// The receiving half of cluster-wide revocation (PostgreSQL only): its own connection, <c>LISTEN</c> on
/// <see cref="RevocationBus.Channel"/>, and a <c>WaitAsync</c> loop that applies every other node's notice to this
/// node's caches through the same hooks a revocation made here uses (so sockets bound to what ended close at once).
/// The caches are trusted only while it listens: when the connection is lost it suspends <see cref="CacheTrust"/>
/// (every request reads the database), and when it is back, listening again, it resumes it, which drops everything
/// cached before. Does nothing on SQLite.
/// </summary>
internal sealed class RevocationListener : BackgroundService
{
    private readonly RevocationBus _bus;
    private readonly SessionService _sessions;
    private readonly MachineService _machines;
    private readonly SupportSessionService _supportSessions;
    private readonly StorageOptions _storage;
    private readonly IOptions<ClusterOptions> _options;
    private readonly KeywardMetrics _metrics;
    private readonly ILogger<RevocationListener> _logger;
    private volatile bool _connected;
    private int _connections;
    private int _losses;

    public RevocationListener(
        RevocationBus bus, SessionService sessions, MachineService machines, SupportSessionService supportSessions,
        IOptions<StorageOptions> storage, IOptions<ClusterOptions> options, KeywardMetrics metrics, ILogger<RevocationListener> logger)
    {
        (_bus, _sessions, _machines, _supportSessions, _storage, _options, _metrics, _logger) = (bus, sessions, machines, supportSessions, storage.Value, options, metrics, logger);
        ApplicationName = "keyward-revocations-" + bus.NodeId;
        metrics.Gauge("keyward.cluster.listener.connected", () => _connected ? 1 : 0, "1 while this node's revocation listener is connected (PostgreSQL); 0 while every request reads the database.");
    }

    /// <summary>The listener connection's <c>application_name</c> (<c>pg_stat_activity</c>): unique per node start.</summary>
    public string ApplicationName { get; }

    /// <summary>True while connected and listening.</summary>
    public bool IsConnected => _connected;

    /// <summary>How many times it has connected and started listening.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>How many times it has lost its connection.</summary>
    public int Losses => Volatile.Read(ref _losses);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_bus.Enabled)
        {
            return;
        }

        var connectionString = new NpgsqlConnectionStringBuilder(_storage.ConnectionString)
        {
            ApplicationName = ApplicationName,
            Pooling = false,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Lose();
                ClusterLog.Lost(_logger, _options.Value.ListenerReconnectDelay, e);
            }

            try
            {
                // Real time: a test's fake clock must not hold the listener down.
                await Task.Delay(_options.Value.ListenerReconnectDelay, TimeProvider.System, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _connected = false;
        _bus.Trust.Suspend();
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += OnNotification;
        await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
        await using (var listen = new NpgsqlCommand("LISTEN " + RevocationBus.Channel, connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        // Listening from here on: any revocation committed from now is heard, and every database read that begins from
        // now sees the ones before. Resuming drops what was cached before (it may have missed some while down).
        _bus.Trust.Resume();
        _connected = true;
        Interlocked.Increment(ref _connections);
        ClusterLog.Connected(_logger, ApplicationName, _bus.Trust.Generation);
        try
        {
            var heartbeat = _options.Value.ListenerHeartbeat;
            while (true)
            {
                if (!await connection.WaitAsync(heartbeat, stoppingToken).ConfigureAwait(false))
                {
                    // Nothing heard for a while: make sure the connection still answers (a cut link sends no error).
                    await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)Math.Ceiling(heartbeat.TotalSeconds) };
                    await ping.ExecuteScalarAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _connected = false;
            _bus.Trust.Suspend();
        }
    }

    private void Lose()
    {
        _connected = false;
        _bus.Trust.Suspend();
        Interlocked.Increment(ref _losses);
    }

    // Runs on the listener's connection inside WaitAsync: quick, no I/O (the hooks start their own work).
    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (RevocationNotice.Parse(e.Payload) is not { } notice)
        {
            ClusterLog.Ignored(_logger, e.Payload?.Length ?? 0);
            return;
        }

        if (notice.Node == _bus.NodeId)
        {
            return;
        }

        switch (notice.Kind)
        {
            case RevocationKind.Session:
                _sessions.ApplyEndedElsewhere(notice.Ids, notice.Reason);
                break;
            case RevocationKind.Machine:
                foreach (var id in notice.Ids)
                {
                    _machines.ApplyKeyEndedElsewhere(id);
                }

                break;
            case RevocationKind.SupportSession:
                foreach (var id in notice.Ids)
                {
                    _supportSessions.ApplyEndedElsewhere(id);
                }

                break;
        }

        _metrics.RevocationsHeard.Add(notice.Ids.Count, new KeyValuePair<string, object?>("kind", notice.Kind switch
        {
            RevocationKind.Session => "session",
            RevocationKind.Machine => "machine",
            _ => "supportsession",
        }));
        ClusterLog.Applied(_logger, notice.Node, notice.Kind, notice.Ids.Count);
    }
}
