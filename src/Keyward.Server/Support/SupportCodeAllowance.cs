namespace Keyward.Server.Support;

/// <summary>How <see cref="SupportCodeLimiter"/> let a support-code check through, or that it did not.</summary>
internal enum SupportCodeAllowance
{
    /// <summary>Refused unchecked: the address group's limit, or the global bucket is empty and this is not its first check.</summary>
    Refused,

    /// <summary>A token was taken from the global bucket (given back when the code is right).</summary>
    Token,

    /// <summary>The bucket is empty, but this is the address group's first check in the window: made anyway, no token taken.</summary>
    FirstFromAddress,
}
