namespace Keyward.Core.Audit;

/// <summary>The stable action names Keyward records. New features add theirs here.</summary>
public static class AuditActions
{
    public const string SignInSucceeded = "signin.succeeded";
    public const string SignInFailed = "signin.failed";
    public const string SessionCreated = "session.created";
    public const string SessionEnded = "session.ended";
    public const string SessionRevoked = "session.revoked";
    public const string SessionsRevokedAll = "session.revoked_all";
    public const string KeyRegistered = "key.registered";
    public const string KeyRegistrationFailed = "key.registration_failed";
    public const string KeyRemoved = "key.removed";
    public const string KeyRenamed = "key.renamed";
    public const string SetupCodeIssued = "setup_code.issued";
    public const string SetupCodeUsed = "setup_code.used";
    public const string InviteCreated = "invite.created";
    public const string InviteUsed = "invite.used";
    public const string InviteRevoked = "invite.revoked";
    public const string AccountDisabled = "account.disabled";
    public const string AccountEnabled = "account.enabled";
    public const string ProxyDenied = "proxy.denied";
    public const string AccessDenied = "access.denied";

    /// <summary>One client address's refusals without a valid credential over an interval, counted (docs/audit.md).</summary>
    public const string UnauthenticatedRefusals = "access.unauthenticated_refusals";
    public const string RateLimited = "rate_limit.hit";
    public const string WebSocketTicketIssued = "websocket.ticket_issued";
    public const string WebSocketUpgradeDenied = "websocket.upgrade_denied";
    public const string WebSocketOpened = "websocket.opened";
    public const string WebSocketClosed = "websocket.closed";
    public const string InternalCredentialRefused = "internal_credential.refused";
    public const string StepUpSucceeded = "step_up.succeeded";
    public const string StepUpFailed = "step_up.failed";
    public const string StepUpRequired = "step_up.required";
    public const string RecoveryCodesIssued = "recovery_codes.issued";
    public const string RecoveryCodeUsed = "recovery_code.used";
    public const string BreakGlassCodeIssued = "break_glass.issued";
    public const string HandoffIssued = "handoff.issued";
    public const string HandoffRedeemed = "handoff.redeemed";
    public const string HandoffRefused = "handoff.refused";
    public const string AuditExported = "audit.exported";
}
