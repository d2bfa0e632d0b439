using Keyward.Core.Quorum;

namespace Keyward.Server.Approvals;

/// <summary>An operation in plain words, for the approver who reviews it before tapping the key.</summary>
internal static class OperationWords
{
    /// <summary>One sentence; <paramref name="names"/> turns ids into names where known (accounts, policies).</summary>
    public static string Describe(ApprovalOperation operation, IReadOnlyDictionary<string, string> names)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var p = operation.Parameters;
        string Param(string key) => p.TryGetValue(key, out var value) ? value : "?";
        string Name(string id) => names.TryGetValue(id, out var name) ? $"{name} ({id})" : id;
        var target = operation.Target;
        return operation.Kind switch
        {
            OperationKind.AddApprover => $"Add account {Name(Param("account"))} as an approver in group {Param("group")} of approval policy {Name(target)}.",
            OperationKind.RemoveApprover => $"Remove account {Name(Param("account"))} from group {Param("group")} of approval policy {Name(target)}.",
            OperationKind.ChangeThreshold => $"Set the threshold of group {Param("group")} of approval policy {Name(target)} to {Param("threshold")}.",
            OperationKind.ReadSensitiveSecret => $"Let actor {Param("actor")} read the {Param("data_class")} secret at {target} once.",
            OperationKind.AdvanceKeyEpoch => $"Advance the vault's key epoch to {target}.",
            _ => $"{OperationKinds.Name(operation.Kind)} on {target}" + (p.Count == 0 ? "." : $" with {string.Join(", ", p.Select(kv => $"{kv.Key}={kv.Value}"))}."),
        };
    }
}
