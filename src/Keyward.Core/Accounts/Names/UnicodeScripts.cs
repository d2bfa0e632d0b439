namespace Keyward.Core.Accounts.Names;

/// <summary>The Script values the mixed-script rule names, numbered as ICU's <c>UScriptCode</c> (a stable ABI).</summary>
internal static class UnicodeScripts
{
    /// <summary>Zyyy: digits, ASCII punctuation and other characters shared by every script.</summary>
    public const int Common = 0;

    /// <summary>Zinh: combining marks that take the script of the letter they follow.</summary>
    public const int Inherited = 1;

    /// <summary>Bopo.</summary>
    public const int Bopomofo = 5;

    /// <summary>Hani.</summary>
    public const int Han = 17;

    /// <summary>Hang.</summary>
    public const int Hangul = 18;

    /// <summary>Hira.</summary>
    public const int Hiragana = 20;

    /// <summary>Kana.</summary>
    public const int Katakana = 22;
}
