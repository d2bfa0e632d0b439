namespace Keyward.Core.Capabilities;

/// <summary>The operations a scope can allow and a capability names (their wire names).</summary>
public static class CapabilityOperations
{
    /// <summary>Read one secret.</summary>
    public const string Read = "read";

    /// <summary>Write a new version of one secret.</summary>
    public const string Write = "write";

    /// <summary>List the paths under a prefix.</summary>
    public const string List = "list";

    /// <summary>Delete one secret.</summary>
    public const string Delete = "delete";

    /// <summary>Every operation, in a fixed order.</summary>
    public static IReadOnlyList<string> All { get; } = [Read, Write, List, Delete];

    /// <summary>True for exactly one of the names above (case-sensitive).</summary>
    public static bool IsDefined(string? name) => name is Read or Write or List or Delete;
}
