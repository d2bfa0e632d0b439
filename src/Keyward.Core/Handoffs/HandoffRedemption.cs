namespace Keyward.Core.Handoffs;

/// <summary>The outcome of redeeming a handoff code: the code, or why not.</summary>
/// <param name="Code">What the code was bound to, when redeemed.</param>
/// <param name="Failure">Why not, otherwise.</param>
public readonly record struct HandoffRedemption(HandoffCode? Code, HandoffFailure? Failure);
