using System.Threading.Channels;
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
/// <see cref="RevocationBus.Channel"/>, and a <c>WaitAsync</c> loop that hands every other node's notice to a bounded
/// queue. A notice is only a hint (any role that can connect may <c>NOTIFY</c>): a background loop reads each one's ids
/// back from the database (one query per notice) and applies only those really ended, through the same hooks a
/// revocation made here uses (so sockets bound to what ended close at once). The listener's thread does no I/O and no
/// work that grows with what it has heard. A full queue, or a notice that cannot be checked, suspends the cache trust and
/// makes the listener reconnect (fail closed: what was cached is dropped when it is back).
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
    private readonly Channel<RevocationNotice> _queue = Channel.CreateBounded<RevocationNotice>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
        SingleReader = true,
        SingleWriter = true,
    });
    private volatile bool _connected;
    private int _connections;
    private int _losses;
    private int _mustReconnect;
    private int _noticesChecked;
    private long _idsIgnored;

    /// <summary>The most notices waiting to be checked and applied (100 ids each).</summary>
    public const int QueueCapacity = 1_000;

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

    /// <summary>How many notices from other nodes have been checked against the database (and what was ended applied).</summary>
    public int NoticesChecked => Volatile.Read(ref _noticesChecked);

    /// <summary>How many ids notices named that were not ended in the database (forged or garbled), ignored.</summary>
    public long IdsIgnored => Interlocked.Read(ref _idsIgnored);

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
        var applying = ApplyLoopAsync(stoppingToken);
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
        _queue.Writer.TryComplete();
        await applying.ConfigureAwait(false);
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
        // now sees the ones before. Resuming drops what was cached before (it may have missed some while down), which
        // also covers a notice that overflowed the queue or failed its check before now.
        Volatile.Write(ref _mustReconnect, 0);
        _bus.Trust.Resume();
        _connected = true;
        Interlocked.Increment(ref _connections);
        ClusterLog.Connected(_logger, ApplicationName, _bus.Trust.Generation);
        try
        {
            var heartbeat = _options.Value.ListenerHeartbeat;
            while (true)
            {
                var heard = await connection.WaitAsync(heartbeat, stoppingToken).ConfigureAwait(false);
                if (Volatile.Read(ref _mustReconnect) == 1)
                {
                    throw new InvalidOperationException("A revocation notice overflowed the queue or could not be checked; listening again.");
                }

                if (!heard)
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

    // Runs on the listener's connection inside WaitAsync: quick, no I/O, constant work; the check runs in ApplyLoopAsync.
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

        if (!_queue.Writer.TryWrite(notice))
        {
            // Dropping a notice could miss a real revocation: stop trusting the caches and listen again, which drops them.
            var first = Interlocked.Exchange(ref _mustReconnect, 1) == 0;
            MustReconnect();
            if (first)
            {
                ClusterLog.Overflowed(_logger, QueueCapacity);
            }
        }
    }

    private void MustReconnect()
    {
        _bus.Trust.Suspend();
        Volatile.Write(ref _mustReconnect, 1);
    }

    private async Task ApplyLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notice in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ApplyAsync(notice, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
                {
                    MustReconnect();
                    ClusterLog.ApplyFailed(_logger, e);
                }

                Interlocked.Increment(ref _noticesChecked);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // One database read per notice: only ids really revoked, deleted or ended there are applied.
    private async Task ApplyAsync(RevocationNotice notice, CancellationToken cancellationToken)
    {
        var ended = notice.Kind switch
        {
            RevocationKind.Session => await _sessions.ApplyEndedElsewhereAsync(notice.Ids, cancellationToken).ConfigureAwait(false),
            RevocationKind.Machine => await _machines.ApplyKeyEndedElsewhereAsync(notice.Ids, cancellationToken).ConfigureAwait(false),
            _ => await _supportSessions.ApplyEndedElsewhereAsync(notice.Ids, cancellationToken).ConfigureAwait(false),
        };
        var ignored = notice.Ids.Distinct().Count() - ended;
        if (ignored > 0)
        {
            Interlocked.Add(ref _idsIgnored, ignored);
            ClusterLog.NotEnded(_logger, ignored, notice.Kind);
        }

        _metrics.RevocationsHeard.Add(ended, new KeyValuePair<string, object?>("kind", notice.Kind switch
        {
            RevocationKind.Session => "session",
            RevocationKind.Machine => "machine",
            _ => "supportsession",
        }));
        ClusterLog.Applied(_logger, notice.Node, notice.Kind, ended);
    }
}
