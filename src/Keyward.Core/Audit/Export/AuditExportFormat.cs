namespace Keyward.Core.Audit.Export;

/// <summary>
/// The audit export: JSON lines (UTF-8, one object per line). A header, then every signed tree head (oldest first, each
/// with its consistency proof from the one before), then every event in sequence order with its inclusion proof
/// against the latest head. docs/audit.md describes each line.
/// </summary>
public static class AuditExportFormat
{
    /// <summary>The header's <c>format</c>.</summary>
    public const string Name = "keyward-audit-export";

    /// <summary>The header's <c>version</c>; readers refuse others.</summary>
    public const int Version = 1;

    /// <summary>The <c>type</c> of the first line.</summary>
    public const string HeaderType = "header";

    /// <summary>The <c>type</c> of a signed tree head line.</summary>
    public const string TreeHeadType = "tree_head";

    /// <summary>The <c>type</c> of an event line.</summary>
    public const string EventType = "event";
}
