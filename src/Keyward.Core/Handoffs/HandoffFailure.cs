namespace Keyward.Core.Handoffs;

/// <summary>Why a handoff code was not redeemed.</summary>
public enum HandoffFailure
{
    /// <summary>Malformed or unknown.</summary>
    Invalid = 1,
    /// <summary>Already redeemed.</summary>
    Consumed,
    /// <summary>Past its lifetime.</summary>
    Expired,
}
