using Keyward.Core.Sessions;

namespace Keyward.Server.Sessions;

/// <summary>
/// A Bearer token already checked and refused earlier in the request (by the proxy's fast path), for the
/// authentication handler to answer and audit without checking the token twice. It lives in Sessions, which the
/// proxy imports, so Sessions needs nothing from Proxy.
/// </summary>
/// <param name="Token">The token as read from <c>Authorization</c>.</param>
/// <param name="Check">The check's result.</param>
internal sealed record CheckedBearer(string Token, SessionCheck Check);
