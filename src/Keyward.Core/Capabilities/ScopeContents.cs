namespace Keyward.Core.Capabilities;

/// <summary>What a scope allows, canonical (<see cref="ScopeRules.Normalize"/>).</summary>
/// <param name="Operations">Operations, in <see cref="CapabilityOperations.All"/> order.</param>
/// <param name="DataClasses">Data class names, ordinal order.</param>
/// <param name="Prefixes">Path prefixes without a trailing <c>/</c>, ordinal order.</param>
public sealed record ScopeContents(IReadOnlyList<string> Operations, IReadOnlyList<string> DataClasses, IReadOnlyList<string> Prefixes)
{
    /// <summary>True when every operation, class and prefix of <paramref name="other"/> is also here (prefixes covered, not only equal).</summary>
    public bool Includes(ScopeContents other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Operations.All(Operations.Contains)
            && other.DataClasses.All(DataClasses.Contains)
            && other.Prefixes.All(p => Prefixes.Any(mine => ScopeRules.Covers(mine, p)));
    }
}
