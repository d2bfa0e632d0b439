using Keyward.Core.Audit;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// The broker's real audit log, with a switch that makes every write fail as a broken database would
/// (<see cref="AuditUnavailableException"/>), so tests can check that operations fail closed.
/// </summary>
internal sealed class SwitchableAuditLog(AuditLog inner) : IAuditLog
{
    private volatile bool _failing;

    /// <summary>While true, nothing is recorded and every caller hears that.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public bool IsWriting => !_failing && inner.IsWriting;

    public ValueTask<long> RecordAsync(AuditRecord record, CancellationToken cancellationToken = default) =>
        _failing
            ? ValueTask.FromException<long>(new AuditUnavailableException("The audit log could not record the event; the operation it records must fail."))
            : inner.RecordAsync(record, cancellationToken);

    public ValueTask<long> RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default) =>
        _failing
            ? ValueTask.FromException<long>(new AuditUnavailableException("The audit log could not record the events; the operation they record must fail."))
            : inner.RecordAllAsync(records, cancellationToken);
}
