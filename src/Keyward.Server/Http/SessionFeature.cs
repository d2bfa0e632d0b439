using Keyward.Core.Sessions;

namespace Keyward.Server.Http;

/// <summary>The authenticated session of a request, for endpoints and the proxy.</summary>
/// <param name="Session">The session.</param>
/// <param name="IdleExpiresAt">When it idles out if unused.</param>
internal sealed record SessionFeature(SessionInfo Session, DateTimeOffset IdleExpiresAt);
