using System.Collections.Concurrent;
using Keyward.Core.Agents;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// The agents connected to this node, one per machine: a newer connection of a machine replaces the older one (4409).
/// When a machine's key stops working here (revoked, or the machine deleted: <see cref="MachineService.KeyEnded"/>),
/// its link is closed at once with 4401; <see cref="AgentSweeper"/> covers revocations made on other nodes. It also
/// holds the places that cap agents per node (<see cref="AgentOptions.MaxAgents"/>).
/// </summary>
internal sealed class AgentDirectory : IDisposable
{
    private readonly ConcurrentDictionary<Guid, AgentLink> _links = new();
    private readonly MachineService _machines;
    private readonly AgentOptions _options;
    private int _reserved;

    public AgentDirectory(MachineService machines, IOptions<AgentOptions> options)
    {
        _machines = machines;
        _options = options.Value;
        machines.KeyEnded += OnKeyEnded;
    }

    /// <summary>Agents connected now.</summary>
    public int Count => _links.Count;

    /// <summary>The links connected now.</summary>
    public ICollection<AgentLink> All => _links.Values;

    /// <summary>The live link of a machine, or null when its agent is not connected here.</summary>
    public AgentLink? Find(Guid machineId) => _links.TryGetValue(machineId, out var link) && !link.IsClosing && link.AdHocSessionId is null ? link : null;

    /// <summary>The live ad-hoc link bound to a support session with its code, or null.</summary>
    public AgentLink? FindAdHoc(Guid supportSessionId) =>
        _links.TryGetValue(supportSessionId, out var link) && !link.IsClosing && link.AdHocSessionId == supportSessionId ? link : null;

    /// <summary>Raised when a link is added (the relay waits for an agent with it).</summary>
    public event Action<AgentLink>? Added;

    /// <summary>Raised when the person at a machine ends a support session (a link's <c>end</c>), with the link and the session's id; the listener checks that the link serves it.</summary>
    public event Action<AgentLink, Guid>? SessionEndedByAgent;

    /// <summary>True when the machine's agent is connected to this node.</summary>
    public bool IsOnline(Guid machineId) => Find(machineId) is not null;

    /// <summary>True while the node has room for one more agent (a look, not a reservation: <see cref="TryReserve"/> decides).</summary>
    public bool HasRoom => Volatile.Read(ref _reserved) < _options.MaxAgents;

    /// <summary>Takes a place for one more agent; false when the node is full.</summary>
    public bool TryReserve()
    {
        if (Interlocked.Increment(ref _reserved) <= _options.MaxAgents)
        {
            return true;
        }

        Interlocked.Decrement(ref _reserved);
        return false;
    }

    /// <summary>Gives a place back.</summary>
    public void Release() => Interlocked.Decrement(ref _reserved);

    /// <summary>Adds a link (keyed by its machine, or an ad-hoc link by its support session); the machine's previous link, if any, is closed with 4409.</summary>
    public void Add(AgentLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        AgentLink? replaced = null;
        _links.AddOrUpdate(link.Machine.Id, link, (_, old) =>
        {
            replaced = old;
            return link;
        });
        if (replaced is not null && !ReferenceEquals(replaced, link))
        {
            _ = replaced.CloseAsync(AgentProtocol.Replaced, "replaced by a newer connection");
        }

        link.SessionEndedByAgent += session => SessionEndedByAgent?.Invoke(link, session);
        Added?.Invoke(link);
    }

    /// <summary>Removes a link that has ended (not its replacement).</summary>
    public void Remove(AgentLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        _links.TryRemove(new KeyValuePair<Guid, AgentLink>(link.Machine.Id, link));
    }

    /// <summary>Closes the link of a machine whose key no longer works (4401).</summary>
    public Task CloseRevokedAsync(Guid machineId) =>
        _links.TryGetValue(machineId, out var link) ? link.CloseAsync(AgentProtocol.KeyRevoked, "agent key revoked") : Task.CompletedTask;

    /// <summary>Closes every link (Keyward is stopping).</summary>
    public Task CloseAllAsync(string reason) =>
        Task.WhenAll(_links.Values.Select(l => l.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, reason)));

    public void Dispose() => _machines.KeyEnded -= OnKeyEnded;

    private void OnKeyEnded(Guid machineId) => _ = CloseRevokedAsync(machineId);
}
