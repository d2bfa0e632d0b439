namespace Keyward.Server.Http;

/// <summary>Who is asking, as the audit log records it: the request's account (or <c>anonymous</c>) and address.</summary>
/// <param name="Actor">The session's account name, or <c>anonymous</c>.</param>
/// <param name="ClientAddress">The client address, if known.</param>
/// <param name="UserAgent">The request's User-Agent, if any: what the client claims, for display (a session's device) only.</param>
internal sealed record Caller(string Actor, string? ClientAddress, string? UserAgent = null)
{
    /// <summary>The caller of a request.</summary>
    public static Caller Of(HttpContext context) =>
        new(context.Features.Get<SessionFeature>()?.Session.AccountName ?? "anonymous", context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.FirstOrDefault());
}
