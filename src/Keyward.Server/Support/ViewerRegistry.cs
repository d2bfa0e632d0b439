using System.Net.WebSockets;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// Every viewer socket open on this node, with the caps on them (<see cref="SupportOptions.MaxViewersPerSession"/>,
/// <see cref="SupportOptions.MaxSocketsPerAccount"/>; per node). A place is taken before the upgrade is accepted and
/// given back when the socket ends. Closing by login session (it ended: 4401) or by support session (it ended: 4410)
/// reaches every socket registered, including one registered just after the event, which the caller checks for.
/// </summary>
internal sealed class ViewerRegistry(IOptions<SupportOptions> options)
{
    /// <summary>The login session that minted the join token ended: authenticate again (like HTTP 401).</summary>
    public const WebSocketCloseStatus LoginSessionEnded = (WebSocketCloseStatus)4401;

    /// <summary>The support session ended (by its technician, an admin, the reaper, the person at the machine, or the machine's revocation).</summary>
    public const WebSocketCloseStatus SupportSessionEnded = (WebSocketCloseStatus)4410;

    /// <summary>The person at the machine refused consent.</summary>
    public const WebSocketCloseStatus ConsentDenied = (WebSocketCloseStatus)4403;

    /// <summary>The person at the machine did not answer in time.</summary>
    public const WebSocketCloseStatus ConsentTimedOut = (WebSocketCloseStatus)4408;

    /// <summary>The agent went away while the session asked for consent or was relayed.</summary>
    public const WebSocketCloseStatus AgentGone = (WebSocketCloseStatus)4502;

    /// <summary>The agent could not open the stream the viewer asked for (the session stays open).</summary>
    public const WebSocketCloseStatus StreamFailed = (WebSocketCloseStatus)4504;

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ViewerConnection> _open = [];
    private readonly Dictionary<Guid, int> _perSession = [];
    private readonly Dictionary<Guid, int> _perAccount = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Takes a place for one more viewer of that session and account, or says why not.</summary>
    public Refusal? TryReserve(Guid supportSessionId, Guid accountId)
    {
        lock (_lock)
        {
            if (_perSession.GetValueOrDefault(supportSessionId) >= options.Value.MaxViewersPerSession)
            {
                return new Refusal(KeywardErrors.ViewerLimit.Saying("This support session already has as many viewers as Keyward allows (Keyward:Support:MaxViewersPerSession)."), Keyward.Core.Support.SupportAuditActions.JoinRefused);
            }

            if (_perAccount.GetValueOrDefault(accountId) >= options.Value.MaxSocketsPerAccount)
            {
                return new Refusal(KeywardErrors.ViewerLimit.Saying("Your account already has as many viewer sockets open as Keyward allows (Keyward:Support:MaxSocketsPerAccount)."), Keyward.Core.Support.SupportAuditActions.JoinRefused);
            }

            _perSession[supportSessionId] = _perSession.GetValueOrDefault(supportSessionId) + 1;
            _perAccount[accountId] = _perAccount.GetValueOrDefault(accountId) + 1;
            return null;
        }
    }

    /// <summary>Gives a place back (once per <see cref="TryReserve"/> that succeeded).</summary>
    public void Release(Guid supportSessionId, Guid accountId)
    {
        lock (_lock)
        {
            Decrement(_perSession, supportSessionId);
            Decrement(_perAccount, accountId);
        }
    }

    public void Add(ViewerConnection viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        lock (_lock)
        {
            _open[viewer.Id] = viewer;
        }
    }

    public void Remove(ViewerConnection viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        lock (_lock)
        {
            _open.Remove(viewer.Id);
        }
    }

    /// <summary>The login sessions behind the open viewers (for the sweep that catches sessions ended on other nodes).</summary>
    public IReadOnlyCollection<Guid> LoginSessions()
    {
        lock (_lock)
        {
            return [.. _open.Values.Select(v => v.LoginSessionId).Distinct()];
        }
    }

    /// <summary>Closes every viewer opened with a join token of that login session (it ended), with 4401.</summary>
    public Task CloseForLoginSessionAsync(Guid loginSessionId) =>
        CloseWhereAsync(v => v.LoginSessionId == loginSessionId, LoginSessionEnded, "login session ended", "session_ended");

    /// <summary>Closes every viewer of that support session (it ended), with 4410.</summary>
    public Task CloseForSupportSessionAsync(Guid supportSessionId) =>
        CloseWhereAsync(v => v.SupportSessionId == supportSessionId, SupportSessionEnded, "support session ended", "support_ended");

    /// <summary>Closes every viewer of that support session with <paramref name="status"/>; <paramref name="cause"/> is the <c>ended</c> frame's reason.</summary>
    public Task CloseForSupportSessionAsync(Guid supportSessionId, WebSocketCloseStatus status, string cause) =>
        CloseWhereAsync(v => v.SupportSessionId == supportSessionId, status, cause.Replace('_', ' '), cause);

    /// <summary>Closes every viewer of that machine's support sessions (its key was revoked or it was deleted), with 4410.</summary>
    public Task CloseForMachineAsync(Guid machineId) =>
        CloseWhereAsync(v => v.MachineId == machineId, SupportSessionEnded, "machine revoked", Keyward.Core.Support.SupportEndReasons.MachineRevoked);

    /// <summary>Viewer sockets open now for that support session.</summary>
    public int CountFor(Guid supportSessionId)
    {
        lock (_lock)
        {
            return _open.Values.Count(v => v.SupportSessionId == supportSessionId);
        }
    }

    /// <summary>Closes every viewer (Keyward is stopping).</summary>
    public Task CloseAllAsync() => CloseWhereAsync(_ => true, WebSocketCloseStatus.EndpointUnavailable, "keyward is stopping", "shutdown");

    private Task CloseWhereAsync(Func<ViewerConnection, bool> match, WebSocketCloseStatus status, string reason, string cause)
    {
        List<ViewerConnection> matched;
        lock (_lock)
        {
            matched = [.. _open.Values.Where(match)];
        }

        return Task.WhenAll(matched.Select(v => v.CloseAsync(status, reason, cause)));
    }

    private static void Decrement(Dictionary<Guid, int> counts, Guid key)
    {
        if (counts.TryGetValue(key, out var count))
        {
            if (count <= 1)
            {
                counts.Remove(key);
            }
            else
            {
                counts[key] = count - 1;
            }
        }
    }
}
