using System.Collections.Concurrent;
using Keyward.Core.Sessions;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Every relayed socket open on this node, by session. When a session ends here (logout, revocation, key removal:
/// <see cref="SessionService.Ended"/>), its sockets are closed at once with 4401; <see cref="LiveSocketSweeper"/>
/// covers expiry and sessions ended on other nodes. It also hands out the <see cref="SocketSlot"/>s that cap sockets per
/// session and in total (both per node).
/// </summary>
internal sealed partial class LiveSocketRegistry : IDisposable
{
    private readonly ConcurrentDictionary<Guid, RelayConnection> _all = new();
    private readonly SessionService _sessions;
    private readonly ILogger<LiveSocketRegistry> _logger;
    private readonly WebSocketGateOptions _options;
    private readonly Lock _slotsLock = new();
    private readonly Dictionary<Guid, int> _slotsPerSession = [];
    private int _slots;

    public LiveSocketRegistry(SessionService sessions, IOptions<WebSocketGateOptions> options, ILogger<LiveSocketRegistry> logger)
    {
        _sessions = sessions;
        _options = options.Value;
        _logger = logger;
        sessions.Ended += OnSessionEnded;
    }

    /// <summary>The sockets open now.</summary>
    public ICollection<RelayConnection> All => _all.Values;

    public int Count => _all.Count;

    /// <summary>Places taken now (sockets open plus upgrades between authorization and their end).</summary>
    public int Reserved
    {
        get
        {
            lock (_slotsLock)
            {
                return _slots;
            }
        }
    }

    /// <summary>
    /// Takes a place for one more socket of <paramref name="sessionId"/> (null: the internal credential, global cap
    /// only), or says why not: <see cref="KeywardErrors.WebSocketSessionLimit"/> (the session's cap, checked first, so
    /// one session filling the node is told about its own limit) or <see cref="KeywardErrors.WebSocketCapacity"/>.
    /// </summary>
    public Outcome<SocketSlot> TryReserve(Guid? sessionId)
    {
        lock (_slotsLock)
        {
            var ofSession = sessionId is { } id ? _slotsPerSession.GetValueOrDefault(id) : 0;
            if (sessionId is not null && ofSession >= _options.MaxSocketsPerSession)
            {
                return new Refusal(KeywardErrors.WebSocketSessionLimit, AuditAction: null);
            }

            if (_slots >= _options.MaxSockets)
            {
                return new Refusal(KeywardErrors.WebSocketCapacity, AuditAction: null);
            }

            _slots++;
            if (sessionId is { } session)
            {
                _slotsPerSession[session] = ofSession + 1;
            }
        }

        return new SocketSlot(this, sessionId);
    }

    /// <summary>Gives a place back (only through <see cref="SocketSlot.Dispose"/>, which calls it once).</summary>
    internal void Release(SocketSlot slot)
    {
        lock (_slotsLock)
        {
            _slots--;
            if (slot.SessionId is { } session && _slotsPerSession.TryGetValue(session, out var count))
            {
                if (count <= 1)
                {
                    _slotsPerSession.Remove(session);
                }
                else
                {
                    _slotsPerSession[session] = count - 1;
                }
            }
        }
    }

    public void Add(RelayConnection connection) => _all[connection.Id] = connection;

    public void Remove(RelayConnection connection) => _all.TryRemove(connection.Id, out _);

    /// <summary>The sockets opened under a session.</summary>
    public List<RelayConnection> ForSession(Guid sessionId) => [.. _all.Values.Where(c => c.Identity.Session?.Id == sessionId)];

    /// <summary>Closes every socket of a session with 4401 and a reason naming why it ended.</summary>
    public Task CloseSessionAsync(Guid sessionId, SessionFailure failure) =>
        Task.WhenAll(ForSession(sessionId).Select(c => c.CloseAsync(CloseCodes.Reauthenticate, CloseCodes.SessionEnded(failure), "session_ended")));

    /// <summary>Closes every socket (Keyward is stopping).</summary>
    public Task CloseAllAsync(string reason) =>
        Task.WhenAll(_all.Values.Select(c => c.CloseAsync(CloseCodes.GoingAway, reason, "shutdown")));

    public void Dispose() => _sessions.Ended -= OnSessionEnded;

    /// <summary>Closes the sockets of a session already known to have ended (a socket added just after its Ended).</summary>
    public void CloseEnded(Guid sessionId) => OnSessionEnded(sessionId);

    private void OnSessionEnded(Guid sessionId)
    {
        if (_all.IsEmpty || ForSession(sessionId).Count == 0)
        {
            return;
        }

        _ = CloseEndedAsync(sessionId);
    }

    private async Task CloseEndedAsync(Guid sessionId)
    {
        // Ended fires after the row is marked, so the stored reason (logout, revoked, key removed) is there to read.
        var failure = SessionFailure.Revoked;
        try
        {
            var checks = await _sessions.InspectAsync([sessionId]).ConfigureAwait(false);
            failure = checks[sessionId].Failure ?? SessionFailure.Revoked;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The reason is only for the close frame; close regardless.
            WebSocketLog.SessionLookupFailed(_logger, e);
        }

        await CloseSessionAsync(sessionId, failure).ConfigureAwait(false);
    }
}
