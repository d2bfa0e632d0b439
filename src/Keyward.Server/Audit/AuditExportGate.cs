namespace Keyward.Server.Audit;

/// <summary>
/// Lets one HTTP export of the audit log run at a time on this node: an export reads every event, so a flood of them
/// from a stolen admin session must not take the node's database and CPU from everyone else.
/// </summary>
internal sealed class AuditExportGate
{
    private int _running;

    /// <summary>True when no export was running (this caller now holds the gate until <see cref="Exit"/>).</summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _running, 1, 0) == 0;

    /// <summary>Releases the gate.</summary>
    public void Exit() => Volatile.Write(ref _running, 0);
}
