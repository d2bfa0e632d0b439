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

    /// <summary>Counted unauthenticated refusals could not be written; they are kept for the next interval.</summary>
    public const int RefusalCountsFailed = 8005;
}
