namespace Keyward.Core.Sessions;

/// <summary>What a valid session says about its bearer. Immutable; never holds the token.</summary>
/// <param name="Id">The session id (the <c>sid</c> claim).</param>
/// <param name="AccountId">The account.</param>
/// <param name="AccountName">The account name.</param>
/// <param name="Role">The account role.</param>
/// <param name="AuthenticatorId">The authenticator that opened the session.</param>
/// <param name="UserVerified">Whether sign-in verified the user (PIN or biometric), not only presence.</param>
/// <param name="CreatedAt">Sign-in time.</param>
/// <param name="ExpiresAt">Absolute expiry.</param>
public sealed record SessionInfo(Guid Id, Guid AccountId, string AccountName, string Role, Guid AuthenticatorId, bool UserVerified, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
