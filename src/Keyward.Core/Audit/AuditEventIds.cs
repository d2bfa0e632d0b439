namespace Keyward.Core.Audit;

/// <summary>Diagnostic log event ids of the audit area (the 8000s band). These are log lines, not audit events.</summary>
public static class AuditEventIds
{
    /// <summary>A batch of audit events could not be written; its callers were failed.</summary>
    public const int WriteFailed = 8001;

    /// <summary>A signed tree head was issued.</summary>
    public const int TreeHeadSigned = 8002;

    /// <summary>A signed tree head could not be issued.</summary>
    public const int TreeHeadFailed = 8003;

    /// <summary>The audit queue is full: callers wait for the writer (it is stalled or slower than the load).</summary>
    public const int QueueFull = 8004;

    /// <summary>A revocation's event went to the local spool because the audit log could not take it.</summary>
    public const int Spooled = 8005;

    /// <summary>A revocation's event could not be spooled (the spool is full or its file failed): it is lost.</summary>
    public const int SpoolDropped = 8006;

    /// <summary>The spool ended in a torn or damaged record (a crash mid-write), which was dropped.</summary>
    public const int SpoolTornTail = 8007;

    /// <summary>Spooled events were appended to the audit log and the spool emptied.</summary>
    public const int SpoolDrained = 8008;

    /// <summary>The spool could not be drained yet (the audit log is still unavailable); it is tried again later.</summary>
    public const int SpoolDrainFailed = 8009;

    /// <summary>Counted unauthenticated refusals could not be written; they are kept for the next interval.</summary>
    public const int RefusalCountsFailed = 8010;

    /// <summary>Grouped repeats of a refusal could not be written; they are kept for the next interval.</summary>
    public const int RepeatCountsFailed = 8011;

    /// <summary>The stored tree no longer extends the latest signed head (the database was rewritten): no head is signed.</summary>
    public const int TreeRewritten = 8012;
}
