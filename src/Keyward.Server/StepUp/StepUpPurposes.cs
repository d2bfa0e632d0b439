namespace Keyward.Server.StepUp;

/// <summary>What a step-up is for. <see cref="Admin"/> is a window; the others are spent by the one action they allow.</summary>
internal static class StepUpPurposes
{
    /// <summary>State-changing admin actions, for <see cref="StepUpOptions.Window"/>.</summary>
    public const string Admin = "admin";

    /// <summary>Adding one key to the signed-in account (checked at register/begin, spent at finish).</summary>
    public const string KeyAdd = "key.add";

    /// <summary>Removing one key; the target is the key's id.</summary>
    public const string KeyRemove = "key.remove";

    /// <summary>Replacing the account's recovery codes.</summary>
    public const string RecoveryRegenerate = "recovery.regenerate";

    /// <summary>Joining one unattended support session; the target is the support session's id (spent by the join).</summary>
    public const string SupportJoin = "support.join";

    /// <summary>The purpose and target in their stored form, or null when they do not go together.</summary>
    public static (string Purpose, string? Target)? Normalize(string? purpose, string? target)
    {
        target = string.IsNullOrWhiteSpace(target) ? null : target.Trim();
        return purpose switch
        {
            Admin or KeyAdd or RecoveryRegenerate when target is null => (purpose, null),
            KeyRemove when Guid.TryParse(target, out var id) => (purpose, id.ToString()),
            SupportJoin when Guid.TryParse(target, out var session) => (purpose, session.ToString()),
            _ => null,
        };
    }
}
