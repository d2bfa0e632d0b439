using Keyward.Core.Quorum;

namespace Keyward.Core.Capabilities;

/// <summary>
/// The approval operations that grant and widen scopes, and how their parameters read. A grant's target is the actor id,
/// with <c>actor_kind</c>, <c>operations</c>, <c>data_classes</c> and <c>prefixes</c> (space-separated, canonical); a
/// widening's target is the scope id, with the scope's new, wider <c>operations</c>, <c>data_classes</c> and
/// <c>prefixes</c>. The approvers sign over exactly these (their digest is in the challenge).
/// </summary>
public static class ScopeOperations
{
    /// <summary>The operation granting <paramref name="contents"/> to an actor.</summary>
    public static QuorumResult<ApprovalOperation> Grant(Guid actorId, CapabilityActorKind kind, ScopeContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var parameters = Parameters(contents);
        parameters["actor_kind"] = ScopeRules.KindName(kind);
        return ApprovalOperation.Create(OperationKind.GrantScope, actorId.ToString(), parameters);
    }

    /// <summary>The operation widening a scope to <paramref name="contents"/>.</summary>
    public static QuorumResult<ApprovalOperation> Widen(Guid scopeId, ScopeContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return ApprovalOperation.Create(OperationKind.WidenScope, scopeId.ToString(), Parameters(contents));
    }

    /// <summary>The contents an operation names, canonical, or a message saying what is wrong.</summary>
    internal static (ScopeContents? Contents, string? Problem) ContentsOf(ApprovalOperation operation)
    {
        var p = operation.Parameters;
        var (contents, problem) = ScopeRules.Normalize(Read(p, "operations"), Read(p, "data_classes"), Read(p, "prefixes"));
        if (contents is null)
        {
            return (null, problem);
        }

        // Only the canonical form is accepted, so what the approvers saw is exactly what is written.
        return ScopeRules.Join(contents.Operations) == p.GetValueOrDefault("operations")
            && ScopeRules.Join(contents.DataClasses) == p.GetValueOrDefault("data_classes")
            && ScopeRules.Join(contents.Prefixes) == p.GetValueOrDefault("prefixes")
            ? (contents, null)
            : (null, "operations, data_classes and prefixes must be in canonical form");
    }

    private static Dictionary<string, string> Parameters(ScopeContents contents) => new(StringComparer.Ordinal)
    {
        ["operations"] = ScopeRules.Join(contents.Operations),
        ["data_classes"] = ScopeRules.Join(contents.DataClasses),
        ["prefixes"] = ScopeRules.Join(contents.Prefixes),
    };

    private static IReadOnlyList<string> Read(IReadOnlyDictionary<string, string> parameters, string name) =>
        parameters.TryGetValue(name, out var value) ? ScopeRules.Split(value) : [];
}
