namespace Keyward.Core.Sessions;

/// <summary>
/// A coarse, readable name for the device a session was opened from ("Chrome on Linux"), taken from the sign-in's
/// User-Agent so a person can tell their sessions apart. Only the label is stored, never the header: it is what the
/// client claims, shown to that person alone, and no security decision reads it.
/// </summary>
public static class DeviceLabel
{
    /// <summary>The longest label stored.</summary>
    public const int MaxLength = 64;

    // The first match wins: Edge and Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
        ("Safari/", "Safari"), ("curl/", "curl"), ("Keyward", "Keyward client"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
    ];

    /// <summary>"Browser on system", either alone, or null when the User-Agent names neither (or is absent).</summary>
    public static string? Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return null;
        }

        // Bounded: only the start of an overlong header is read.
        var text = userAgent.AsSpan(0, Math.Min(userAgent.Length, 512));
        var browser = Find(text, Browsers);
        var system = Find(text, Systems);
        var label = (browser, system) switch
        {
            (null, null) => null,
            (not null, null) => browser,
            (null, not null) => system,
            _ => $"{browser} on {system}",
        };
        return label is { Length: > MaxLength } ? label[..MaxLength] : label;
    }

    private static string? Find(ReadOnlySpan<char> text, (string Token, string Name)[] table)
    {
        foreach (var (token, name) in table)
        {
            if (text.Contains(token, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
