namespace Keyward.Core.Audit.Export;

/// <summary>How the first tampering shows.</summary>
public enum AuditTampering
{
    /// <summary>No tampering.</summary>
    None,

    /// <summary>An event's content changed.</summary>
    Modified,

    /// <summary>An event is missing.</summary>
    Removed,

    /// <summary>An event is out of its place.</summary>
    Reordered,

    /// <summary>An event that was never recorded appears.</summary>
    Inserted,

    /// <summary>A tree head is forged, out of order, or inconsistent with the others or with the events.</summary>
    TreeHead,
}
