namespace Keyward.Core.Accounts.Names;

/// <summary>
/// Keyward's mixed-script rule (not part of RFC 8265, which leaves confusables to the application, §7.3): every code
/// point of a name is of one script, or of Common (digits, ASCII punctuation) or Inherited (combining marks). The
/// exceptions are the scripts written together: Han with Hiragana and Katakana (Japanese), Han with Bopomofo, Han with
/// Hangul (UTS #39 §5.2, "highly restrictive", without its Latin). So <c>bоb</c> with a Cyrillic <c>о</c> is refused;
/// an all-Cyrillic name is allowed, and whole-script look-alikes (<c>аре</c> against <c>ape</c>) are the residual risk
/// docs/security.md names.
/// </summary>
internal static class ScriptRule
{
    private static readonly int[][] WrittenTogether =
    [
        [UnicodeScripts.Han, UnicodeScripts.Hiragana, UnicodeScripts.Katakana],
        [UnicodeScripts.Han, UnicodeScripts.Bopomofo],
        [UnicodeScripts.Han, UnicodeScripts.Hangul],
    ];

    /// <summary>True when the name's scripts are one script (or one of the combinations written together).</summary>
    public static bool Holds(string name)
    {
        var scripts = new HashSet<int>();
        foreach (var rune in name.EnumerateRunes())
        {
            var script = IcuUnicode.Instance.Script(rune.Value);
            if (script is not (UnicodeScripts.Common or UnicodeScripts.Inherited))
            {
                scripts.Add(script);
            }
        }

        return scripts.Count <= 1 || WrittenTogether.Any(set => scripts.IsSubsetOf(set));
    }
}
