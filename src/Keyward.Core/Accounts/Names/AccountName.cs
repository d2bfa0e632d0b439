using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Keyward.Core.Accounts.Names;

/// <summary>
/// An account name as Keyward stores and compares it: the PRECIS UsernameCaseMapped profile (RFC 8265 §3.3): full- and
/// half-width forms mapped to their ordinary ones, lower case, NFC; every code point in the IdentifierClass (letters,
/// digits, ASCII punctuation), the Bidi Rule, and Keyward's own rule that a name's letters are of one script
/// (<see cref="ScriptRule"/>). <c>Bob</c>, <c>ＢＯＢ</c> and <c>bob</c> are one name; <c>bоb</c> with a Cyrillic
/// <c>о</c> is none. Surrounding white space is removed first, as it always was. Unicode data comes from ICU
/// (<see cref="IcuUnicode"/>).
/// </summary>
public sealed class AccountName
{
    /// <summary>The longest text (UTF-16 code units) read at all, before preparation.</summary>
    public const int MaxInputLength = 200;

    /// <summary>The most code points a prepared name has.</summary>
    public const int MaxCodePoints = 64;

    /// <summary>The most UTF-8 bytes a prepared name has (it then fits the 200-character name columns).</summary>
    public const int MaxBytes = 200;

    private AccountName(string value) => Value = value;

    /// <summary>The prepared name: what is stored and compared (ordinally).</summary>
    public string Value { get; }

    /// <summary>Prepares and enforces <paramref name="input"/>; on failure, <paramref name="fault"/> says why.</summary>
    public static bool TryPrepare(string? input, [NotNullWhen(true)] out AccountName? name, out AccountNameFault fault)
    {
        name = null;
        var trimmed = input?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            fault = AccountNameFault.Empty;
            return false;
        }

        if (trimmed.Length > MaxInputLength)
        {
            fault = AccountNameFault.TooLong;
            return false;
        }

        // RFC 8264 §7: the input (after width mapping) and the result must both be in the string class.
        var widthMapped = MapWidth(trimmed);
        var value = IcuUnicode.Instance.ToNfc(widthMapped.ToLowerInvariant());
        fault = !AllValid(widthMapped) || !AllValid(value) ? AccountNameFault.DisallowedCharacter
            : value.EnumerateRunes().Count() > MaxCodePoints || Encoding.UTF8.GetByteCount(value) > MaxBytes ? AccountNameFault.TooLong
            : !BidiRule.Holds(value) ? AccountNameFault.Direction
            : !ScriptRule.Holds(value) ? AccountNameFault.MixedScript
            : AccountNameFault.None;
        if (fault != AccountNameFault.None)
        {
            return false;
        }

        name = new AccountName(value);
        return true;
    }

    /// <summary>
    /// The form a name is looked up by: the same mappings as <see cref="TryPrepare"/> (trim, width, lower case, NFC)
    /// without its refusals. For a valid name it is the prepared name; for a name stored before names were prepared it
    /// is what that name collides with (the look-alike report and the check for new names read it).
    /// </summary>
    public static string LookupKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(name.Length, MaxInputLength, nameof(name));
        return IcuUnicode.Instance.ToNfc(MapWidth(name.Trim()).ToLowerInvariant());
    }

    /// <summary>
    /// True when what someone typed names the account stored as <paramref name="storedName"/>: its lookup key, or (for
    /// an account named before names were prepared) its exact stored spelling.
    /// </summary>
    public static bool Designates(string storedName, string typed)
    {
        ArgumentNullException.ThrowIfNull(storedName);
        ArgumentNullException.ThrowIfNull(typed);
        return typed.Length <= MaxInputLength
            && (string.Equals(storedName, LookupKey(typed), StringComparison.Ordinal) || string.Equals(storedName, typed.Trim(), StringComparison.Ordinal));
    }

    /// <inheritdoc/>
    public override string ToString() => Value;

    // RFC 8265 §3.3.2 step 1: full-width and half-width forms (decomposition <wide> or <narrow>) become their
    // decomposition mapping. They live in U+3000 and U+FF01..U+FFEE, where NFKC is exactly that mapping.
    private static string MapWidth(string text)
    {
        if (!text.Any(c => c is '\u3000' or (>= '\uFF01' and <= '\uFFEE')))
        {
            return text;
        }

        var mapped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            mapped.Append(c is '\u3000' or (>= '\uFF01' and <= '\uFFEE') ? IcuUnicode.Instance.ToNfkc(c.ToString()) : c.ToString());
        }

        return mapped.ToString();
    }

    private static bool AllValid(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IdentifierClass.IsValid(rune))
            {
                return false;
            }
        }

        return true;
    }
}
