namespace Keyward.Server.Http;

/// <summary>
/// Which of Keyward's hosts a request was addressed to (its <c>Host</c> header, port ignored): Keyward's own origin, or
/// a browser route's app host. Set on every request by the host gate before anything else runs; a request to any other
/// host is refused there (421). One immutable instance per host, shared by every request to it.
/// </summary>
/// <param name="Name">The host name, lower case (no port).</param>
/// <param name="IsApp">True for a browser route's app host; false for Keyward's own origin.</param>
/// <param name="Origin">The origin browsers see for this host: <c>scheme://name[:port]</c>, scheme and port those of Keyward's public origin.</param>
internal sealed record RequestHost(string Name, bool IsApp, string Origin);
