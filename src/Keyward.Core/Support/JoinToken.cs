namespace Keyward.Core.Support;

/// <summary>What a redeemed join token was bound to. Never holds the token itself.</summary>
/// <param name="Id">The token's row id.</param>
/// <param name="SupportSessionId">The only support session it opens.</param>
/// <param name="AccountId">The account it was minted for.</param>
/// <param name="LoginSessionId">The login session that minted it.</param>
/// <param name="ExpiresAt">Its expiry.</param>
public sealed record JoinToken(Guid Id, Guid SupportSessionId, Guid AccountId, Guid LoginSessionId, DateTimeOffset ExpiresAt);
