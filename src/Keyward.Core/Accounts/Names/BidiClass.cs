namespace Keyward.Core.Accounts.Names;

/// <summary>The Bidi_Class values the Bidi Rule reads, numbered as ICU's <c>UCharDirection</c>.</summary>
internal enum BidiClass
{
    /// <summary>L: left-to-right.</summary>
    LeftToRight = 0,

    /// <summary>R: right-to-left.</summary>
    RightToLeft = 1,

    /// <summary>EN: European number.</summary>
    EuropeanNumber = 2,

    /// <summary>ES: European number separator.</summary>
    EuropeanSeparator = 3,

    /// <summary>ET: European number terminator.</summary>
    EuropeanTerminator = 4,

    /// <summary>AN: Arabic number.</summary>
    ArabicNumber = 5,

    /// <summary>CS: common number separator.</summary>
    CommonSeparator = 6,

    /// <summary>ON: other neutral.</summary>
    OtherNeutral = 10,

    /// <summary>AL: right-to-left Arabic.</summary>
    ArabicLetter = 13,

    /// <summary>NSM: non-spacing mark.</summary>
    NonSpacingMark = 17,

    /// <summary>BN: boundary neutral.</summary>
    BoundaryNeutral = 18,
}
