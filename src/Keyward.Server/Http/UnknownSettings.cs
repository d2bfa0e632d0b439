using System.Collections;
using System.Reflection;

namespace Keyward.Server.Http;

/// <summary>
/// Settings under <c>Keyward</c> that no options type reads: a misspelled key (<c>RequireUserVerifcation</c>,
/// <c>Lisen</c>) would otherwise be ignored without a word, and a route would run without the policy its operator
/// wrote. Every key present in any source (file, environment, arguments) must name a property of the options type
/// bound to its section, through dictionaries (route ids) and lists (indexes), in any case.
/// </summary>
internal static class UnknownSettings
{
    /// <summary>One line per unknown setting, naming it, the closest known one when there is one, and where to look.</summary>
    public static IReadOnlyList<string> Find(IConfiguration configuration, IEnumerable<(string Section, Type Type)> bound)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sections = bound.ToList();
        var problems = new List<string>();
        foreach (var (key, value) in configuration.GetSection(KeywardOptions.Section).AsEnumerable().OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            // Sections have no value (their settings are checked one by one); an empty one ("Routes": {}, or
            // --Keyward:Tls=) binds to nothing.
            if (value is null || IsKnown(key, sections) || (value.Length == 0 && IsKnownSection(key, sections)))
            {
                continue;
            }

            if (IsKnownSection(key, sections))
            {
                // A value where a list or a section belongs is dropped by the binder without a word.
                problems.Add(key.Contains(':', StringComparison.Ordinal)
                    ? $"{key} is a list or a section, not one value: write {key}:0=value for a list, or {key}:Setting=value."
                    : $"{key} is a section, not one value: write {key}:Setting=value.");
                continue;
            }

            var hint = Closest(key, sections) is { } near ? $" (did you mean {near}?)" : string.Empty;
            problems.Add($"{key} is not a setting Keyward knows{hint}: check its spelling against docs/configuration.md, or remove it.");
        }

        return problems;
    }

    // A key that holds one value: it must end at a settable property of a value type.
    private static bool IsKnown(string key, List<(string Section, Type Type)> sections) =>
        sections.Any(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)
            && Fits(s.Type, key[(s.Section.Length + 1)..].Split(':'), leaf: true));

    // A key that names a section or a list (no value of its own).
    private static bool IsKnownSection(string key, List<(string Section, Type Type)> sections) =>
        sections.Any(s => string.Equals(key, s.Section, StringComparison.OrdinalIgnoreCase)
            || (key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase) && Fits(s.Type, key[(s.Section.Length + 1)..].Split(':'), leaf: false)));

    // The path names a property of type, then whatever that property's type allows below it.
    private static bool Fits(Type type, ReadOnlySpan<string> path, bool leaf) =>
        path.Length > 0 && Property(type, path[0]) is { } property
        && (path.Length > 1 || !leaf || property.CanWrite) && FitsValue(property.PropertyType, path[1..], leaf);

    private static bool FitsValue(Type type, ReadOnlySpan<string> rest, bool leaf)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var isValue = IsValue(type);
        if (rest.IsEmpty)
        {
            return leaf == isValue;
        }

        if (isValue)
        {
            return false;
        }

        if (DictionaryValue(type) is { } value)
        {
            return FitsValue(value, rest[1..], leaf);
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return int.TryParse(rest[0], out _) && FitsValue(ElementOf(type), rest[1..], leaf);
        }

        return Fits(type, rest, leaf);
    }

    // One value in configuration: anything that is not one of Keyward's own option classes, a list or a dictionary
    // (a framework type such as IPEndPoint is a leaf: its properties are not settings).
    private static bool IsValue(Type type) =>
        type == typeof(string) || type.IsPrimitive || type.IsEnum || type.IsValueType
        || (DictionaryValue(type) is null && !typeof(IEnumerable).IsAssignableFrom(type) && type.Namespace?.StartsWith("Keyward.", StringComparison.Ordinal) != true);

    private static PropertyInfo? Property(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);

    private static Type? DictionaryValue(Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];

    private static Type ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()! : type.GetInterfaces().Append(type).First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];

    // The known setting one edit (or two, in a longer name) away from the last segment, in the same section.
    private static string? Closest(string key, List<(string Section, Type Type)> sections)
    {
        var cut = key.LastIndexOf(':');
        if (cut < 0)
        {
            return null;
        }

        var parent = key[..cut];
        var last = key[(cut + 1)..];
        foreach (var (section, type) in sections)
        {
            var owner = string.Equals(parent, section, StringComparison.OrdinalIgnoreCase) ? type
                : parent.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase) ? Owner(type, parent[(section.Length + 1)..].Split(':'))
                : null;
            var near = owner?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite || !IsValue(p.PropertyType))
                .Select(p => p.Name)
                .OrderBy(n => Distance(n.ToLowerInvariant(), last.ToLowerInvariant()))
                .FirstOrDefault(n => Distance(n.ToLowerInvariant(), last.ToLowerInvariant()) <= (last.Length > 8 ? 2 : 1));
            if (near is not null)
            {
                return parent + ":" + near;
            }
        }

        return null;
    }

    // The class the path ends in (through dictionaries and lists), or null.
    private static Type? Owner(Type type, ReadOnlySpan<string> path)
    {
        while (!path.IsEmpty)
        {
            var property = Property(type, path[0]);
            if (property is null)
            {
                return null;
            }

            type = property.PropertyType;
            path = path[1..];
            if (!path.IsEmpty && IsValue(type))
            {
                return null;
            }

            if (!path.IsEmpty && !IsValue(type) && (DictionaryValue(type) ?? (typeof(IEnumerable).IsAssignableFrom(type) ? ElementOf(type) : null)) is { } item)
            {
                type = item;
                path = path[1..];
            }
        }

        return IsValue(type) ? null : type;
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
