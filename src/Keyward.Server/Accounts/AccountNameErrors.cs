using Keyward.Core.Accounts.Names;
using Keyward.Server.Http;

namespace Keyward.Server.Accounts;

/// <summary>The refusal for a name that is not an account name, saying what is allowed (never echoing the name's code points).</summary>
internal static class AccountNameErrors
{
    /// <summary><c>username_required</c> for an empty name, else <c>username_invalid</c> with the rule it breaks.</summary>
    public static KeywardError For(AccountNameFault fault) => fault switch
    {
        AccountNameFault.Empty => KeywardErrors.UsernameRequired.Saying("Choose a username: 1 to 64 letters or digits."),
        AccountNameFault.TooLong => KeywardErrors.UsernameInvalid.Saying($"A username is at most {AccountName.MaxCodePoints} letters or digits ({AccountName.MaxBytes} bytes in UTF-8)."),
        AccountNameFault.DisallowedCharacter => KeywardErrors.UsernameInvalid.Saying("A username holds letters, digits and ASCII punctuation only: no spaces, symbols, controls, invisible characters or compatibility forms (ligatures, superscripts)."),
        AccountNameFault.Direction => KeywardErrors.UsernameInvalid.Saying("A right-to-left username starts with a right-to-left letter, ends with a letter or digit, and does not mix in left-to-right letters (RFC 5893)."),
        AccountNameFault.MixedScript => KeywardErrors.UsernameInvalid.Saying("A username's letters are of one script: Latin, Cyrillic, Greek (or any other) letters may not be mixed."),
        _ => KeywardErrors.UsernameInvalid,
    };
}
