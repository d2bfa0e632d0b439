namespace Keyward.Core.Audit.Export;

/// <summary>The verdict on an audit export.</summary>
public enum AuditVerificationStatus
{
    /// <summary>Everything a signed tree head covers checks out.</summary>
    Intact,

    /// <summary>The export does not match what was signed.</summary>
    Tampered,

    /// <summary>The input is not an audit export this version can read.</summary>
    Unusable,
}
