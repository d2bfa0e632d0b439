using System.Globalization;
using System.Text;

namespace Keyward.Core.Accounts.Names;

/// <summary>
/// The PRECIS IdentifierClass (RFC 8264 §4.2): whether a code point is PVALID, derived in the order of RFC 8264 §8.
/// CONTEXTJ and CONTEXTO code points (joiners, the middle dot, Arabic-Indic digits, …) are refused outright: their
/// context rules (RFC 5892 Appendix A) are not implemented, and refusing is the strict side of the profile.
/// </summary>
internal static class IdentifierClass
{
    // RFC 5892 §2.6 Exceptions (F), PVALID.
    private static readonly int[] ExceptionsValid = [0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007];

    // Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15), part of PrecisIgnorableProperties (M).
    private static readonly (int First, int Last)[] DefaultIgnorable =
    [
        (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
        (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
        (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
    ];

    // Hangul_Syllable_Type L, V or T: OldHangulJamo (I).
    private static readonly (int First, int Last)[] OldHangulJamo =
    [
        (0x1100, 0x11FF), (0xA960, 0xA97C), (0xD7B0, 0xD7C6), (0xD7CB, 0xD7FB),
    ];

    /// <summary>True when the code point is PVALID in the IdentifierClass.</summary>
    public static bool IsValid(Rune rune)
    {
        var cp = rune.Value;
        if (Array.IndexOf(ExceptionsValid, cp) >= 0)
        {
            return true;
        }

        if (IsException(cp))
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(rune);
        if (category == UnicodeCategory.OtherNotAssigned)
        {
            return false;
        }

        if (cp is >= 0x21 and <= 0x7E)
        {
            return true;
        }

        if (cp is 0x200C or 0x200D || In(OldHangulJamo, cp) || In(DefaultIgnorable, cp) || IsNoncharacter(cp) || category == UnicodeCategory.Control)
        {
            return false;
        }

        // HasCompat (Q): a code point that NFKC changes (full-width forms, ligatures, superscripts, …).
        var text = rune.ToString();
        if (!string.Equals(IcuUnicode.Instance.ToNfkc(text), text, StringComparison.Ordinal))
        {
            return false;
        }

        // LetterDigits (A); everything else left (spaces, symbols, punctuation, OtherLetterDigits) is not PVALID here.
        return category is UnicodeCategory.LowercaseLetter or UnicodeCategory.UppercaseLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ModifierLetter or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark;
    }

    // RFC 5892 §2.6 Exceptions that are CONTEXTO or DISALLOWED.
    private static bool IsException(int cp) => cp is 0x00B7 or 0x0375 or 0x05F3 or 0x05F4 or 0x30FB
        or (>= 0x0660 and <= 0x0669) or (>= 0x06F0 and <= 0x06F9)
        or 0x0640 or 0x07FA or 0x302E or 0x302F or (>= 0x3031 and <= 0x3035) or 0x303B;

    private static bool IsNoncharacter(int cp) => cp is >= 0xFDD0 and <= 0xFDEF || (cp & 0xFFFE) == 0xFFFE;

    private static bool In((int First, int Last)[] ranges, int cp)
    {
        foreach (var (first, last) in ranges)
        {
            if (cp >= first && cp <= last)
            {
                return true;
            }
        }

        return false;
    }
}
