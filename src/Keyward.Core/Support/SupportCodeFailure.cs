namespace Keyward.Core.Support;

/// <summary>Why a support code was refused. Only the audit record tells them apart: a client always hears one code.</summary>
public enum SupportCodeFailure
{
    /// <summary>Malformed, or no code has that value (a wrong guess, tied to no code).</summary>
    Invalid = 1,
    /// <summary>Past its lifetime.</summary>
    Expired,
    /// <summary>Already used: a code binds one agent.</summary>
    Consumed,
}
