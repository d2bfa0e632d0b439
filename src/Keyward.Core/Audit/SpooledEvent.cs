namespace Keyward.Core.Audit;

/// <summary>
/// A revocation's event held in the <see cref="AuditSpool"/>: its spool id (also in its details as <c>spool_id</c>, so
/// a drain can tell which events the log already holds) and the record, stamped with the time of the decision.
/// </summary>
public sealed record SpooledEvent(Guid Id, AuditRecord Record);
