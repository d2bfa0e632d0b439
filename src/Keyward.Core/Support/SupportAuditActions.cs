namespace Keyward.Core.Support;

/// <summary>
/// The audit actions of remote support (issue 11, item 8). Kept beside the feature rather than in
/// <see cref="Audit.AuditActions"/> so the agent plane's additions do not collide with these. No event ever carries a
/// join token or a support code: at most the token's row id.
/// </summary>
public static class SupportAuditActions
{
    public const string SessionOpened = "support.session_opened";
    public const string SessionEnded = "support.session_ended";
    public const string CodeIssued = "support.code_issued";
    public const string CodeConsumed = "support.code_consumed";
    public const string CodeRefused = "support.code_refused";
    public const string JoinMinted = "join.minted";
    public const string JoinUsed = "join.used";
    public const string JoinRefused = "join.refused";
    public const string JoinRevoked = "join.revoked";
    public const string ConsentAsked = "consent.asked";
    public const string ConsentGiven = "consent.given";
    public const string ConsentDenied = "consent.denied";
    public const string ConsentTimedOut = "consent.timed_out";
    public const string RelayOpened = "relay.opened";
    public const string RelayClosed = "relay.closed";
}
