namespace Keyward.Core.Capabilities;

/// <summary>The scope that allows a mint and the (operator, actor) scope nonce it is minted under, or why not.</summary>
/// <param name="Scope">The allowing scope.</param>
/// <param name="Nonce">The scope nonce now.</param>
/// <param name="Failure">Why no scope allows it.</param>
public readonly record struct ScopeMatch(CapabilityScope? Scope, long Nonce, MintFailure? Failure);
