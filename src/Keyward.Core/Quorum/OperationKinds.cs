namespace Keyward.Core.Quorum;

/// <summary>The stable wire names of <see cref="OperationKind"/>: what the canonical encoding and the API carry.</summary>
public static class OperationKinds
{
    private static readonly Dictionary<OperationKind, string> Names = new()
    {
        [OperationKind.GrantScope] = "grant_scope",
        [OperationKind.WidenScope] = "widen_scope",
        [OperationKind.ReadSensitiveSecret] = "read_sensitive_secret",
        [OperationKind.AddApprover] = "add_approver",
        [OperationKind.RemoveApprover] = "remove_approver",
        [OperationKind.AddAdminKey] = "add_admin_key",
        [OperationKind.RemoveAdminKey] = "remove_admin_key",
        [OperationKind.ChangeThreshold] = "change_threshold",
        [OperationKind.AdvanceKeyEpoch] = "advance_key_epoch",
        [OperationKind.ChangeApprovalPolicy] = "change_approval_policy",
    };

    private static readonly Dictionary<string, OperationKind> ByName = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every kind, in numeric order.</summary>
    public static IReadOnlyList<OperationKind> All { get; } = [.. Names.Keys.Order()];

    /// <summary>The wire name of a defined kind; throws for an undefined value (a bug in the caller).</summary>
    public static string Name(OperationKind kind) =>
        Names.TryGetValue(kind, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an operation kind.");

    /// <summary>The kind with that exact wire name; false for anything else (unknown kinds are refused, never guessed).</summary>
    public static bool TryParse(string? name, out OperationKind kind)
    {
        kind = default;
        return name is not null && ByName.TryGetValue(name, out kind);
    }
}
