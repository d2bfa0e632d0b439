namespace Keyward.Client;

/// <summary>A capability token minted for an actor (issue 12): one operation on one data class and path, for 5 minutes.</summary>
/// <param name="Token">The token (a <c>kw-cap+jwt</c>): send it as Bearer to the vault plane only. Never logged.</param>
/// <param name="ExpiresAt">When it stops being accepted.</param>
/// <param name="ScopeId">The scope that allowed it.</param>
public sealed record MintedCapability(string Token, DateTimeOffset ExpiresAt, string? ScopeId)
{
    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"capability (expires {ExpiresAt:O})";
}
