using System.Globalization;
using System.Text;

namespace Keyward.Core.Text;

/// <summary>
/// Characters that change what a terminal shows rather than being shown: C0/C1 controls (escape sequences, carriage
/// return, backspace), the bidirectional formatting characters (Trojan Source, CVE-2021-42574) and the line and paragraph
/// separators. Text that reaches an admin's terminal (a reason, a label, an agent's hostname) must hold none of them.
/// </summary>
public static class UnsafeText
{
    /// <summary>Whether <paramref name="text"/> holds a control, bidi-format or separator character.</summary>
    public static bool Contains(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The text without its unsafe characters (for informational claims, which are kept rather than refused).</summary>
    public static string Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Contains(text))
        {
            return text;
        }

        var kept = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!IsUnsafe(c))
            {
                kept.Append(c);
            }
        }

        return kept.ToString();
    }

    /// <summary>The text with each unsafe character written as <c>\uXXXX</c>, so it is visible and inert in a terminal.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Contains(text))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>A control (Cc), a bidi formatting character (Unicode UAX #9: ALM, LRM, RLM, embeddings, overrides, isolates) or U+2028/U+2029.</summary>
    public static bool IsUnsafe(char c) =>
        char.IsControl(c)
        || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
        || c is '\u2028' or '\u2029';
}
