using Keyward.Core.Support;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    // Remote support: support sessions, join tokens and the viewer plane (docs/remote-support.md).
    public static readonly KeywardError SupportReasonInvalid = new("support_reason_invalid", 400, "A support session needs a reason of 1 to 500 characters, with no control or bidi-format characters; the person at the machine is shown it.");
    public static readonly KeywardError SupportSessionNotFound = new("support_session_not_found", 404, "No support session you may see has that id.");
    public static readonly KeywardError SupportSessionEnded = new("support_session_ended", 409, "The support session has ended. Open a new one.");
    public static readonly KeywardError SupportSessionLimit = new("support_session_limit", 429, "Too many support sessions are open (Keyward:Support:MaxSessionsPerMachine or MaxSessionsPerAccount). End one and try again.");
    public static readonly KeywardError UnattendedNotAllowed = new("unattended_not_allowed", 403, "Unattended access is allowed only to a machine whose enroll policy allows it; an ad-hoc session is always attended.");
    public static readonly KeywardError JoinNotAllowed = new("join_not_allowed", 403, "Your account is not allowed on this machine (its enroll policy lists who may join; admins by default), or the support session is another technician's.");
    public static readonly KeywardError JoinTokenInvalid = FromJoin(JoinFailure.Invalid);
    public static readonly KeywardError JoinTokenExpired = FromJoin(JoinFailure.Expired);
    public static readonly KeywardError JoinTokenConsumed = FromJoin(JoinFailure.Consumed);
    public static readonly KeywardError JoinTokenRevoked = FromJoin(JoinFailure.Revoked);
    public static readonly KeywardError JoinWrongSession = new("join_wrong_session", 403, "The join token was minted for another support session; it is now spent. Ask for a join token of this session.");
    public static readonly KeywardError JoinTokenLimit = new("join_token_limit", 429, "You hold as many unused join tokens for this support session as Keyward allows (Keyward:Support:MaxUnusedJoinTokens). Use one, or wait for them to expire.");
    public static readonly KeywardError JoinRateLimited = new("join_rate_limited", 429, "Too many refused join tokens from your address. Wait and try again with a join token Keyward minted.");
    public static readonly KeywardError ViewerLimit = new("viewer_limit", 429, "Too many viewer sockets are open (Keyward:Support:MaxViewersPerSession or MaxSocketsPerAccount). Close one and try again.");
    public static readonly KeywardError SupportCodeInvalid = new("support_code_invalid", 401, "The support code is wrong, used, or expired. Ask the technician for a new one.");
    public static readonly KeywardError SupportCodeRateLimited = new("support_code_rate_limited", 429, "Too many support-code attempts. Wait and try again.");

    /// <summary>The refusal for a join token that failed its check.</summary>
    public static KeywardError From(JoinFailure failure) => failure switch
    {
        JoinFailure.Expired => JoinTokenExpired,
        JoinFailure.Consumed => JoinTokenConsumed,
        JoinFailure.Revoked => JoinTokenRevoked,
        _ => JoinTokenInvalid,
    };

    private static KeywardError FromJoin(JoinFailure failure) => new(JoinFailures.Code(failure), 401, JoinFailures.Message(failure));
}
