using System.Collections.Frozen;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// Which refusals are of requests that carry no valid credential, and so are counted per client address
/// (<see cref="RefusalCounter"/>) instead of written one event each. The rule (docs/audit.md): a refusal is counted
/// when Keyward found no credential it issued behind it: none was sent, the one sent is malformed or unknown, or the
/// request was refused by its shape before any credential was read. Whatever involves a credential Keyward knows (a
/// session, ticket, handoff code or app session that exists but is expired, revoked, spent, for another route,
/// short of a role or of step-up, or a valid session refused by policy) stays one event each: its use is the signal.
/// </summary>
internal static class UnauthenticatedRefusals
{
    private static readonly FrozenSet<string> Codes = new[]
    {
        // No credential, or a malformed or unknown one (no row has its hash).
        KeywardErrors.SessionMissing,
        KeywardErrors.SessionInvalid,
        KeywardErrors.AppSessionInvalid,
        KeywardErrors.TicketRequired,
        KeywardErrors.TicketInvalid,
        KeywardErrors.HandoffCodeInvalid,
        KeywardErrors.InternalCredentialInvalid,
        KeywardErrors.AgentKeyInvalid,
        KeywardErrors.EnrollTokenInvalid,
        KeywardErrors.JoinTokenInvalid,
        KeywardErrors.ServiceKeyInvalid,

        // Refused by the request's shape before any credential is read.
        KeywardErrors.CookieConflict,
        KeywardErrors.BearerRequired,
        KeywardErrors.CookieUpgradeNotAllowed,
        KeywardErrors.WebSocketNotAllowed,
        KeywardErrors.UpgradeNotAllowed,
        KeywardErrors.SubProtocolInvalid,
        KeywardErrors.InternalCredentialNotLoopback,
        KeywardErrors.InternalCredentialWrongRoute,
    }.Select(e => e.Code).ToFrozenSet(StringComparer.Ordinal);

    // No credential at all: the sign-in page's status probe, a browser before sign-in, a monitor. Metered, not audited.
    private static readonly FrozenSet<string> NoCredential = new[] { KeywardErrors.SessionMissing, KeywardErrors.TicketRequired }
        .Select(e => e.Code).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// True when <paramref name="error"/> refuses <paramref name="request"/> for want of a credential and the request
    /// carried none at all (issue 10, item 7): no <c>Authorization</c> header, no cookie in Keyward's namespace, no
    /// <c>ticket</c> or <c>code</c> query parameter. Such a refusal is a metric, not an audit event: it says nothing about
    /// any credential. A request that carried something (a foreign token where a ticket belongs) is still counted.
    /// </summary>
    public static bool IsNoCredential(KeywardError error, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(request);
        return NoCredential.Contains(error.Code)
            && request.Headers.Authorization.Count == 0
            && !request.Query.ContainsKey("ticket") && !request.Query.ContainsKey("code")
            && !request.Cookies.Keys.Any(name => KeywardCookieNamespace.Contains(name));
    }

    /// <summary>
    /// True when <paramref name="error"/> refuses a request without a valid credential. The caller makes sure no
    /// credential was recognized on the way (a real ticket whose session is gone is refused <c>session_invalid</c> too).
    /// </summary>
    public static bool Covers(KeywardError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Codes.Contains(error.Code);
    }
}
