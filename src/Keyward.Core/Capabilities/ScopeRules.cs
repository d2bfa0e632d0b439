using Keyward.Core.Vault;

namespace Keyward.Core.Capabilities;

/// <summary>
/// The rules of a scope's contents. A prefix is a valid secret path (<see cref="VaultPath"/>), optionally written with
/// one trailing <c>/</c>, which is dropped; it covers itself and every path below it, segment by segment (<c>db</c>
/// covers <c>db</c> and <c>db/prod</c>, never <c>dbx</c>). There is no empty prefix: a scope always names where.
/// </summary>
public static class ScopeRules
{
    /// <summary>The most prefixes one scope names.</summary>
    public const int MaxPrefixes = 20;

    /// <summary>The actor kinds' wire names.</summary>
    public static string KindName(CapabilityActorKind kind) => kind == CapabilityActorKind.Agent ? "agent" : "service";

    /// <summary>The actor kind named <paramref name="name"/>, or null.</summary>
    public static CapabilityActorKind? ParseKind(string? name) => name switch
    {
        "agent" => CapabilityActorKind.Agent,
        "service" => CapabilityActorKind.Service,
        _ => null,
    };

    /// <summary>
    /// The operations, classes and prefixes made canonical (operations in <see cref="CapabilityOperations.All"/> order,
    /// the rest ordinal, no duplicates, prefixes without a trailing <c>/</c>), or a message saying what is wrong.
    /// </summary>
    public static (ScopeContents? Contents, string? Problem) Normalize(IEnumerable<string>? operations, IEnumerable<string>? dataClasses, IEnumerable<string>? prefixes)
    {
        var ops = (operations ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (ops.Count == 0 || !ops.All(CapabilityOperations.IsDefined))
        {
            return (null, $"operations lists 1 or more of: {string.Join(", ", CapabilityOperations.All)}");
        }

        var classes = (dataClasses ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0 || !classes.All(c => VaultDataClass.Find(c) is not null))
        {
            return (null, $"data_classes lists 1 or more of: {string.Join(", ", VaultDataClass.All.Select(c => c.Name))}");
        }

        var paths = new List<string>();
        foreach (var prefix in prefixes ?? [])
        {
            if (NormalizePrefix(prefix) is not { } normal)
            {
                return (null, "each prefix is a secret path (segments of A-Z a-z 0-9 . _ - separated by single '/', no '.' or '..'), optionally ending with '/'");
            }

            paths.Add(normal);
        }

        paths = [.. paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (paths.Count == 0 || paths.Count > MaxPrefixes)
        {
            return (null, $"prefixes lists 1 to {MaxPrefixes} path prefixes");
        }

        return (new ScopeContents([.. CapabilityOperations.All.Where(ops.Contains)], classes, paths), null);
    }

    /// <summary>A prefix without its trailing <c>/</c>, or null when it is not well formed.</summary>
    public static string? NormalizePrefix(string? prefix)
    {
        var trimmed = prefix is { Length: > 1 } && prefix.EndsWith('/') ? prefix[..^1] : prefix;
        return VaultPath.IsValid(trimmed) ? trimmed : null;
    }

    /// <summary>True when <paramref name="prefix"/> (normalized) covers <paramref name="path"/>: itself, or a path below it.</summary>
    public static bool Covers(string prefix, string path)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(path);
        return string.Equals(path, prefix, StringComparison.Ordinal)
            || (path.Length > prefix.Length + 1 && path.StartsWith(prefix, StringComparison.Ordinal) && path[prefix.Length] == '/');
    }

    /// <summary>Space-separated, as stored.</summary>
    internal static string Join(IEnumerable<string> items) => string.Join(' ', items);

    /// <summary>The stored list back.</summary>
    internal static IReadOnlyList<string> Split(string stored) => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
