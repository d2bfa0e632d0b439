using System.Collections.Concurrent;
using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// A stolen agent key shows itself as two agents taking turns: each connect with the key replaces the other (4409).
/// Every replacement is audited (<c>agent.replaced</c>, with both peers' addresses) and counted
/// (<c>keyward.agents.replaced</c>); <see cref="AgentOptions.MaxReplacementsPerWindow"/> of them within
/// <see cref="AgentOptions.ReplacementWindow"/> quarantine the machine: <c>agent.quarantined</c> is recorded, the key is
/// revoked (both sockets close 4401) and an admin must enroll the machine again. Counted per node: a thief that
/// alternates nodes is seen by each node that gets both.
/// </summary>
internal sealed class AgentReplacementGuard(
    MachineService machines, IAuditLog audit, KeywardMetrics metrics, IOptions<AgentOptions> options, TimeProvider time, ILogger<AgentDirectory> logger)
{
    /// <summary>The reason a quarantine gives, in the audit log and the close frame.</summary>
    public const string QuarantineReason = "replaced repeatedly: key presumed stolen";

    private readonly ConcurrentDictionary<Guid, Queue<DateTimeOffset>> _recent = new();

    /// <summary>
    /// Records that <paramref name="next"/> replaces <paramref name="previous"/>; true when this replacement
    /// quarantined the machine (its key is revoked and <paramref name="previous"/> closed with 4401).
    /// </summary>
    public async Task<bool> ReplacingAsync(HttpContext context, AgentLink previous, AgentLink next)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var machine = next.Machine;
        var count = Count(machine.Id);
        metrics.AgentsReplaced.Add(1);
        var target = machine.Id.ToString();
        var actor = AgentEndpoints.MachineActor(machine.Id);
        await audit.RecordAsync(context, AgentAuditActions.Replaced, AuditOutcomes.Success, target, actor, new Dictionary<string, string>
        {
            ["previous_address"] = previous.Address ?? "unknown",
            ["address"] = next.Address ?? "unknown",
            ["replacements_in_window"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ConfigureAwait(false);
        if (count < options.Value.MaxReplacementsPerWindow)
        {
            return false;
        }

        // Decide, record, act: the quarantine is in the log before the key stops working.
        await audit.RecordAsync(context, AgentAuditActions.Quarantined, AuditOutcomes.Success, target, actor, new Dictionary<string, string>
        {
            ["reason"] = QuarantineReason,
            ["label"] = machine.Label,
            ["replacements_in_window"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ConfigureAwait(false);
        _recent.TryRemove(machine.Id, out _);
        AgentLog.Quarantined(logger, machine.Id, count);
        await previous.CloseAsync(AgentProtocol.KeyRevoked, QuarantineReason).ConfigureAwait(false);
        await machines.RevokeKeyAsync(machine.Id, machine.TenantId, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    // Replacements of this machine within the window, this one included.
    private int Count(Guid machineId)
    {
        var now = time.GetUtcNow();
        var window = options.Value.ReplacementWindow;
        var recent = _recent.GetOrAdd(machineId, _ => new Queue<DateTimeOffset>());
        lock (recent)
        {
            while (recent.Count > 0 && now - recent.Peek() >= window)
            {
                recent.Dequeue();
            }

            recent.Enqueue(now);
            return recent.Count;
        }
    }
}
