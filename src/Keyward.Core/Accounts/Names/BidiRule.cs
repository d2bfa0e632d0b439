namespace Keyward.Core.Accounts.Names;

/// <summary>
/// The Bidi Rule of RFC 5893 §2, which RFC 8265 §3.4.2 applies to a username that contains right-to-left code points
/// (Bidi_Class R, AL or AN). It keeps a name from reordering into something that reads like another name.
/// </summary>
internal static class BidiRule
{
    /// <summary>True when the name satisfies the rule (or holds no right-to-left code point, so the rule does not apply).</summary>
    public static bool Holds(string name)
    {
        var classes = name.EnumerateRunes().Select(r => IcuUnicode.Instance.Direction(r.Value)).ToList();
        if (!classes.Any(c => c is BidiClass.RightToLeft or BidiClass.ArabicLetter or BidiClass.ArabicNumber))
        {
            return true;
        }

        // 1. The first character is L, R or AL.
        var rtl = classes[0] is BidiClass.RightToLeft or BidiClass.ArabicLetter;
        if (!rtl && classes[0] != BidiClass.LeftToRight)
        {
            return false;
        }

        // The last character that is not a non-spacing mark.
        var last = classes.LastOrDefault(c => c != BidiClass.NonSpacingMark, BidiClass.NonSpacingMark);
        if (rtl)
        {
            // 2. Only R, AL, AN, EN, ES, CS, ET, ON, BN, NSM; 3. ends in R, AL, EN or AN (then NSM*); 4. not both EN and AN.
            return classes.All(c => c is BidiClass.RightToLeft or BidiClass.ArabicLetter or BidiClass.ArabicNumber or BidiClass.EuropeanNumber
                    or BidiClass.EuropeanSeparator or BidiClass.CommonSeparator or BidiClass.EuropeanTerminator or BidiClass.OtherNeutral
                    or BidiClass.BoundaryNeutral or BidiClass.NonSpacingMark)
                && last is BidiClass.RightToLeft or BidiClass.ArabicLetter or BidiClass.EuropeanNumber or BidiClass.ArabicNumber
                && !(classes.Contains(BidiClass.EuropeanNumber) && classes.Contains(BidiClass.ArabicNumber));
        }

        // 5. Only L, EN, ES, CS, ET, ON, BN, NSM (so never the AN that brought the rule in); 6. ends in L or EN (then NSM*).
        return classes.All(c => c is BidiClass.LeftToRight or BidiClass.EuropeanNumber or BidiClass.EuropeanSeparator or BidiClass.CommonSeparator
                or BidiClass.EuropeanTerminator or BidiClass.OtherNeutral or BidiClass.BoundaryNeutral or BidiClass.NonSpacingMark)
            && last is BidiClass.LeftToRight or BidiClass.EuropeanNumber;
    }
}
