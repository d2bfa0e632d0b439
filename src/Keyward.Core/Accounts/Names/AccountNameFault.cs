namespace Keyward.Core.Accounts.Names;

/// <summary>Why a string is not an account name (<see cref="AccountName.TryPrepare"/>).</summary>
public enum AccountNameFault
{
    /// <summary>It is one.</summary>
    None,

    /// <summary>Nothing but white space.</summary>
    Empty,

    /// <summary>More than <see cref="AccountName.MaxCodePoints"/> code points or <see cref="AccountName.MaxBytes"/> UTF-8 bytes.</summary>
    TooLong,

    /// <summary>A code point the PRECIS IdentifierClass does not allow (a space, a symbol, a compatibility form, a control, …).</summary>
    DisallowedCharacter,

    /// <summary>Right-to-left text that breaks the Bidi Rule (RFC 5893).</summary>
    Direction,

    /// <summary>Letters of more than one script (Latin with Cyrillic, say).</summary>
    MixedScript,
}
