namespace Keyward.Server.Http;

/// <summary>
/// Every diagnostic log event id of the broker, banded by slice (STYLE.md): 1000s WebAuthn, 2000s sessions and sign-in,
/// 3000s proxy and assertions, 4000s WebSockets, 5000s agents, 6000s vault (planned), 7000s quorum
/// (planned), 8000s audit. Ids are stable: never reuse one.
/// </summary>
internal static class KeywardEventIds
{
    public const int SignInFailed = 2001;
    public const int SessionOpened = 2002;
    public const int RequestRefused = 2003;
    public const int SessionEnded = 2004;
    public const int AccountNameLookAlike = 2005;
    public const int AccountNameNotPrepared = 2006;
    // The revocation listener of a PostgreSQL node (cluster-wide revocation), beside sessions.
    public const int RevocationListenerConnected = 2101;
    public const int RevocationListenerLost = 2102;
    public const int RevocationNoticeIgnored = 2103;
    public const int RevocationNoticeApplied = 2104;
    public const int RevocationIdsNotEnded = 2105;
    public const int RevocationQueueOverflowed = 2106;
    public const int RevocationApplyFailed = 2107;
    public const int ClusterCountersUnavailable = 2050;
    // The database unreachable or unusable (PostgreSQL down, SQLite file unreadable): 503 storage_unavailable.
    public const int StorageUnavailable = 2051;

    public const int SigningKeyRotated = 3101;
    public const int SharedSigningKeyMade = 3102;
    public const int SharedSigningKeysRefreshFailed = 3103;
    public const int SharedSigningKeyRetired = 3104;
    public const int HostRefused = 3201;

    public const int WebSocketUpgradeRefused = 4001;
    public const int WebSocketOpened = 4002;
    public const int WebSocketClosed = 4003;
    public const int WebSocketUpstreamFailed = 4004;
    public const int WebSocketAuditFailed = 4005;
    public const int WebSocketSweepFailed = 4006;
    public const int WebSocketSessionLookupFailed = 4007;
    public const int WebSocketTicketIssued = 4008;

    public const int AgentConnected = 5001;
    public const int AgentDisconnected = 5002;
    public const int AgentProtocolViolation = 5003;
    public const int AgentAuditFailed = 5004;
    public const int AgentSweepFailed = 5005;
    public const int AgentKeyStoreFailed = 5006;
    public const int AgentLastSeenFailed = 5007;
    public const int AgentQuarantined = 5030;
    // Remote support (the 5000s band, shared with agents: support takes 5500 and up).
    public const int ViewerRefused = 5501;
    public const int ViewerClosed = 5502;
    public const int SupportAuditFailed = 5503;
    public const int SupportSweepFailed = 5504;
    // Actors and capability tokens (the 6000s band, shared with the vault: capabilities take 6500 and up).
    public const int ServiceKeyStoreFailed = 6501;
    public const int CapabilityKeyCreated = 6502;
    // M-of-N approvals (the 7000s band, quorum).
    public const int ApprovalSweepFailed = 7001;
}
