using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// How revocations (logout, session revoke and revoke-all, key removal) record their decision: an outage must never
/// keep a credential alive (docs/security.md). The event goes to the audit log as usual; when the log cannot take it,
/// it goes to the durable <see cref="AuditSpool"/> and the revocation goes ahead. While the spool holds events, later
/// revocations join it, so revocation events keep their order. A revocation is never refused because of the audit:
/// if even the spool cannot take the event (full, or its file fails), the event is dropped, an error is logged and
/// <c>keyward.audit.spool.events{outcome=dropped}</c> counts it, and the revocation still takes effect. Everything
/// that is not a revocation keeps failing closed (<see cref="AuditFailClosedAnswer"/>).
/// </summary>
internal sealed class RevocationAudit(IAuditLog audit, AuditSpool spool, KeywardMetrics metrics)
{
    /// <summary>Records a successful revocation on <paramref name="context"/>; returns once it is in the log or the spool (or dropped).</summary>
    public async Task RecordAsync(HttpContext context, string action, string target, IReadOnlyDictionary<string, string> details)
    {
        var record = AuditTrail.For(context, action, AuditOutcomes.Success, target, details: details);
        if (spool.IsEmpty)
        {
            try
            {
                await audit.RecordAsync(record, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (AuditUnavailableException)
            {
                // The log has already said why (event 8001); the event goes to the spool below.
            }
        }

        var stored = await spool.AppendAsync(record, CancellationToken.None).ConfigureAwait(false);
        metrics.SpooledEvents.Add(1, new KeyValuePair<string, object?>("outcome", stored ? "spooled" : "dropped"));
    }
}
