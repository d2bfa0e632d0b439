namespace Keyward.Core.Audit;

/// <summary>Audit outcomes.</summary>
public static class AuditOutcomes
{
    /// <summary>The action happened.</summary>
    public const string Success = "success";

    /// <summary>A rule refused it.</summary>
    public const string Denied = "denied";

    /// <summary>It failed for another reason.</summary>
    public const string Failure = "failure";
}
