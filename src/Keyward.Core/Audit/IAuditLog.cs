namespace Keyward.Core.Audit;

/// <summary>
/// The one place every security decision is recorded. When <see cref="RecordAsync"/> completes, the event is
/// durable; when it throws <see cref="AuditUnavailableException"/>, the caller must fail the operation it was
/// recording (fail closed) and report it as not done.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends an event and returns its sequence number once it is durable.</summary>
    ValueTask<long> RecordAsync(AuditRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends several events of one decision together: all are durable with consecutive sequence numbers, or none is
    /// stored. Returns the first sequence number.
    /// </summary>
    ValueTask<long> RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// False while the log cannot write (its last write failed), true again after a write succeeds; readiness
    /// (<c>/readyz</c>) reports it. A log that cannot tell says true.
    /// </summary>
    bool IsWriting => true;
}
