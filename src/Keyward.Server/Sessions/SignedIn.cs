using Keyward.Core.Sessions;

namespace Keyward.Server.Sessions;

/// <summary>A session just opened by a sign-in: its token (shown once), the session, and its idle expiry.</summary>
/// <param name="Token">The kws_ token.</param>
/// <param name="Session">The session.</param>
/// <param name="IdleExpiresAt">When it idles out if unused.</param>
internal sealed record SignedIn(string Token, SessionInfo Session, DateTimeOffset IdleExpiresAt);
