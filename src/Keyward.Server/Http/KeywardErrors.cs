using Keyward.Core.Sessions;
using Keyward.Core.Tickets;
using Keyward.WebAuthn;

namespace Keyward.Server.Http;

/// <summary>
/// The one catalogue of Keyward's refusals: every problem+json the broker writes takes its code and status from here.
/// Codes are a contract (clients and scripts match on them): never rename or reuse one; the catalogue test enumerates
/// this table and fails on a duplicate or a renamed code. The WebAuthn ceremony codes come from
/// <see cref="WebAuthnErrors"/> (their status depends on the ceremony: see <see cref="WebAuthn"/>), and the session and
/// ticket codes from Keyward.Core's failure enums, so each code is written once in the solution.
/// </summary>
internal static partial class KeywardErrors
{
    // Sessions (docs: README "Session API").
    public static readonly KeywardError SessionMissing = new("session_missing", 401, "Sign in first: send a session token (Authorization: Bearer kws_…) or the session cookie.");
    public static readonly KeywardError SessionInvalid = FromSession(SessionFailure.Invalid);
    public static readonly KeywardError SessionExpired = FromSession(SessionFailure.Expired);
    public static readonly KeywardError SessionIdleExpired = FromSession(SessionFailure.IdleExpired);
    public static readonly KeywardError SessionLoggedOut = FromSession(SessionFailure.LoggedOut);
    public static readonly KeywardError SessionRevoked = FromSession(SessionFailure.Revoked);
    public static readonly KeywardError SessionAuthenticatorRemoved = FromSession(SessionFailure.AuthenticatorRemoved);
    public static readonly KeywardError SessionAccountDisabled = FromSession(SessionFailure.AccountDisabled);
    public static readonly KeywardError SessionNotFound = new("session_not_found", 404, "No live session of yours has that id.");
    public static readonly KeywardError RateLimited = new("rate_limited", 429, "Too many sign-in attempts. Wait and try again.");

    // Authorization.
    public static readonly KeywardError UserVerificationRequired = new("user_verification_required", 403, "This route requires a sign-in that verified you (PIN or biometric). Sign in again with user verification.");
    public static readonly KeywardError RoleRequired = new("role_required", 403, "Your account does not have the role this route requires.");
    public static readonly KeywardError Forbidden = new("forbidden", 403, "You may not use this resource.");

    // Ceremonies, registration and accounts.
    public static readonly KeywardError CeremonyInvalid = new("ceremony_invalid", 400, "The ceremony is unknown, already used, or expired. Start again.");
    public static readonly KeywardError CredentialUnknown = new("credential_unknown", 401, "This security key is not registered here (or not for that account).");
    public static readonly KeywardError CredentialExists = new("credential_exists", 409, "This security key is already registered.");
    public static readonly KeywardError UsernameRequired = new("username_required", 400, "Choose a username of 1 to 200 characters.");
    public static readonly KeywardError UsernameInvalid = new("username_invalid", 400, "A username is 1 to 64 letters or digits of one script (ASCII punctuation such as . _ - @ allowed): no spaces, symbols, invisible characters or letters of two alphabets. Case and width do not matter: Bob and bob are one name.");
    public static readonly KeywardError SetupCodeInvalid = new("setup_code_invalid", 401, "The setup code is wrong, used, or expired. Restart Keyward to print a new one (only while no admin exists).");
    public static readonly KeywardError InviteInvalid = new("invite_invalid", 401, "The invite is malformed, used, or expired. Ask an admin for a new one.");
    public static readonly KeywardError AccountExists = new("account_exists", 409, "An account with that name already exists.");
    public static readonly KeywardError AccountNotFound = new("account_not_found", 404, "No account has that name.");
    public static readonly KeywardError AccountDisabled = new("account_disabled", 403, "This account is disabled. Ask an admin to enable it.");
    public static readonly KeywardError LastAdmin = new("last_admin", 409, "This is the last enabled admin; disabling it would leave no one to administer Keyward. Enable or invite another admin first.");
    public static readonly KeywardError InviteNotFound = new("invite_not_found", 404, "No pending invite has that id (it may have been used, revoked, or expired).");
    public static readonly KeywardError PageInvalid = new("page_invalid", 400, "limit is 1 to 500 and after is at most 200 characters.");
    public static readonly KeywardError RoleUnknown = new("role_unknown", 400, "role is \"user\" or \"admin\".");
    public static readonly KeywardError KeyNotFound = new("key_not_found", 404, "You have no key with that id.");
    public static readonly KeywardError KeyNameInvalid = new("name_invalid", 400, "A key name is 1 to 200 characters.");
    public static readonly KeywardError LastKey = new("last_key", 409, "This is your only key; register another before removing it, or you could not sign in again.");

    // Cookies: two claim one of Keyward's names (another page of this site planted one).
    public static readonly KeywardError CookieConflict = new("cookie_conflict", 401, "This request carries two cookies under one of Keyward's names (or one spelled differently): another page of this site may have set one. Clear this site's cookies and sign in again.");

    // Requests the framework refuses before any endpoint runs.
    public static readonly KeywardError RequestInvalid = new("request_invalid", 400, "The request could not be read: check its framing, Content-Type and JSON body.");
    public static readonly KeywardError NotFound = new("not_found", 404, "Nothing is served at this path.");
    public static readonly KeywardError MethodNotAllowed = new("method_not_allowed", 405, "This path does not accept that method.");
    public static readonly KeywardError BodyTooLarge = new("body_too_large", 413, "The request body is larger than Keyward accepts here.");
    public static readonly KeywardError UnsupportedMediaType = new("unsupported_media_type", 415, "Send the body as application/json.");
    // Step-up and recovery (docs/security.md).
    public static readonly KeywardError StepUpRequired = new("step_up_required", 401, "This action needs a fresh step-up with one of your security keys: POST the purpose and target in step_up to its begin path, then finish it with the key, and retry.");
    public static readonly KeywardError StepUpPurposeInvalid = new("step_up_purpose_invalid", 400, "purpose is one of admin, key.add, key.remove (with the key id as target), recovery.regenerate or support.join (with the support session id as target).");
    public static readonly KeywardError RecoveryCodeInvalid = new("recovery_code_invalid", 401, "The username or recovery code is wrong, or the code was used. Codes are XXXX-XXXX-XXXX and work once.");

    // Audit.
    public static readonly KeywardError AuditUnavailable = new("audit_unavailable", 503, "Keyward could not record this decision in its audit log, so it did not carry it out. Try again shortly; if it persists, an operator should check the database.");
    public static readonly KeywardError AuditQueryInvalid = new("audit_query_invalid", 400, "The audit query is invalid.");
    public static readonly KeywardError NotReady = new("not_ready", 503, "This Keyward node cannot serve now; the detail names what failed. A balancer should send requests to another node.");
    public static readonly KeywardError SigningKeyRetired = new("signing_key_retired", 503, "This Keyward node's signing key is past its retirement and it has not read the successor, so it signed nothing. Try again (another node may serve); if it persists, an operator should check the database and that every node has the same Keyward:Vault:Keys.");
    public static readonly KeywardError StorageBusy = new("storage_busy", 503, "Keyward's database is locked or did not answer in time, so nothing was done. Try again shortly; if it persists, an operator should look for whatever holds the database lock.");
    public static readonly KeywardError StorageUnavailable = new("storage_unavailable", 503, "Keyward could not reach or use its database, so it did nothing and let nothing through. Try again shortly; if it persists, an operator should check that the database is up and accepts Keyward's connections.");
    public static readonly KeywardError AuditRangeInvalid = new("audit_range_invalid", 400, "The proof range is invalid.");
    public static readonly KeywardError AuditExportBusy = new("audit_export_busy", 429, "Another export of the audit log is running on this node; wait for it to finish and try again.");

    // The WebSocket gate (docs/websockets.md).
    public static readonly KeywardError WebSocketNotAllowed = new("websocket_not_allowed", 403, "This route does not accept WebSocket connections (Keyward:Routes:<id>:WebSocket:Enabled is off).");
    public static readonly KeywardError UpgradeNotAllowed = new("upgrade_not_allowed", 403, "Keyward relays only WebSocket upgrades; other protocol upgrades are never passed through.");
    public static readonly KeywardError RouteUnknown = new("route_unknown", 404, "No route has that id.");
    public static readonly KeywardError TicketRequired = new("ticket_required", 401, "Open the socket with a ticket: POST /api/auth/ws-ticket {\"route\": \"<id>\"}, then connect with ?ticket=kwt_…");
    public static readonly KeywardError TicketInvalid = FromTicket(TicketFailure.Invalid);
    public static readonly KeywardError TicketExpired = FromTicket(TicketFailure.Expired);
    public static readonly KeywardError TicketConsumed = FromTicket(TicketFailure.Consumed);
    public static readonly KeywardError TicketWrongRoute = new("ticket_wrong_route", 403, "The ticket was issued for another route.");

    /// <summary>
    /// A request from an origin that is not allowed. The WebAuthn ceremony failure of the same name means the same
    /// thing for a ceremony's clientDataJSON; the catalogue test allows exactly this one shared code.
    /// </summary>
    public static readonly KeywardError OriginMismatch = new("origin_mismatch", 403, "The Origin of this request is not the one the ticket was issued to, or not allowed on this route.");
    public static readonly KeywardError CookieUpgradeNotAllowed = new("cookie_upgrade_not_allowed", 403, "This route does not accept the session cookie on a WebSocket upgrade; use a ticket (POST /api/auth/ws-ticket).");
    public static readonly KeywardError InternalCredentialInvalid = new("internal_credential_invalid", 401, "The internal credential is not valid.");
    public static readonly KeywardError InternalCredentialNotLoopback = new("internal_credential_not_loopback", 403, "The internal credential is accepted only from loopback.");
    public static readonly KeywardError InternalCredentialWrongRoute = new("internal_credential_wrong_route", 403, "The internal credential is accepted only on routes marked Internal.");
    public static readonly KeywardError UpstreamUnavailable = new("upstream_unavailable", 502, "The service behind this route could not be reached or did not accept the connection.");
    public static readonly KeywardError UpstreamTimeout = new("upstream_timeout", 504, "The service behind this route did not answer in time.");
    public static readonly KeywardError SubProtocolInvalid = new("subprotocol_invalid", 400, "Sec-WebSocket-Protocol must list at most 16 distinct protocol names, each an HTTP token (RFC 6455 §4.1).");
    public static readonly KeywardError WebSocketSessionLimit = new("websocket_session_limit", 429, "This session already has as many sockets open as Keyward allows (Keyward:WebSockets:MaxSocketsPerSession). Close one and try again.");
    public static readonly KeywardError WebSocketCapacity = new("websocket_capacity", 503, "Keyward has as many sockets open as it allows (Keyward:WebSockets:MaxSockets). Try again later.");

    /// <summary>The refusal for a session that failed its check.</summary>
    public static KeywardError From(SessionFailure failure) => failure switch
    {
        SessionFailure.Expired => SessionExpired,
        SessionFailure.IdleExpired => SessionIdleExpired,
        SessionFailure.LoggedOut => SessionLoggedOut,
        SessionFailure.Revoked => SessionRevoked,
        SessionFailure.AuthenticatorRemoved => SessionAuthenticatorRemoved,
        SessionFailure.AccountDisabled => SessionAccountDisabled,
        _ => SessionInvalid,
    };

    /// <summary>The refusal for a ticket that failed its check.</summary>
    public static KeywardError From(TicketFailure failure) => failure switch
    {
        TicketFailure.Expired => TicketExpired,
        TicketFailure.Consumed => TicketConsumed,
        _ => TicketInvalid,
    };

    /// <summary>
    /// A WebAuthn ceremony failure: 400 for a malformed or unverifiable registration or response, 401 for a sign-in
    /// assertion that does not verify. The message is the WebAuthn table's (it says what was wrong, never a secret).
    /// </summary>
    public static KeywardError WebAuthn(WebAuthnFailure failure, int status) => new(failure.Code, status, failure.Message);

    private static KeywardError FromSession(SessionFailure failure) => new(SessionFailures.Code(failure), 401, SessionFailures.Message(failure));

    private static KeywardError FromTicket(TicketFailure failure) => new(TicketFailures.Code(failure), 401, TicketFailures.Message(failure));
}
