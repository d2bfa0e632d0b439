namespace Keyward.Server.Registration;

/// <summary>How <see cref="SetupCodeLimiter"/> let a setup-code check through, or that it did not.</summary>
internal enum SetupCodeCheck
{
    /// <summary>The global bucket is empty and this address group has checked a code before: refused unchecked.</summary>
    Refused,

    /// <summary>A token was taken from the global bucket (given back when the code is right).</summary>
    Token,

    /// <summary>The bucket is empty, but this is the address group's first check: made anyway, no token taken.</summary>
    FirstFromAddress,
}
