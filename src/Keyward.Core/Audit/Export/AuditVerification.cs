namespace Keyward.Core.Audit.Export;

/// <summary>The outcome of <see cref="AuditExportVerifier.VerifyAsync"/>.</summary>
public sealed record AuditVerification
{
    /// <summary>The verdict.</summary>
    public required AuditVerificationStatus Status { get; init; }

    /// <summary>A plain sentence: what was checked, or what is wrong and where.</summary>
    public required string Message { get; init; }

    /// <summary>How the first tampering shows.</summary>
    public AuditTampering Tampering { get; init; }

    /// <summary>The sequence number of the first event where tampering shows, when one can be named.</summary>
    public long? Sequence { get; init; }

    /// <summary>The line of the export where it shows, when there is one.</summary>
    public long? Line { get; init; }

    /// <summary>Event lines read.</summary>
    public long Events { get; init; }

    /// <summary>Tree head lines read.</summary>
    public int TreeHeads { get; init; }

    /// <summary>The size of the latest valid signed head the events were checked against, if any.</summary>
    public long? VerifiedTreeSize { get; init; }

    /// <summary>Events after the latest signed head: recorded after it was signed, so no signature covers them yet.</summary>
    public long Uncovered { get; init; }
}
