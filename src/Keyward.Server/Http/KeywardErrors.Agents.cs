using Keyward.Core.Agents;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    // The agent plane and machines (docs/remote-support.md).
    public static readonly KeywardError EnrollTokenInvalid = FromEnroll(EnrollFailure.Invalid);
    public static readonly KeywardError EnrollTokenExpired = FromEnroll(EnrollFailure.Expired);
    public static readonly KeywardError EnrollTokenConsumed = FromEnroll(EnrollFailure.Consumed);
    public static readonly KeywardError EnrollTokenRevoked = FromEnroll(EnrollFailure.Revoked);
    public static readonly KeywardError AgentKeyInvalid = FromAgentKey(AgentKeyFailure.Invalid);
    public static readonly KeywardError AgentKeyRevoked = FromAgentKey(AgentKeyFailure.Revoked);
    public static readonly KeywardError AgentMachineDeleted = FromAgentKey(AgentKeyFailure.Deleted);
    public static readonly KeywardError AgentKeyStoreUnavailable = new("agent_key_store_unavailable", 503, "Keyward could not read its agent keys, so it refused the connection (it fails closed). The agent retries; if it persists, an operator should check the database.");
    public static readonly KeywardError AgentUpgradeRequired = new("agent_upgrade_required", 400, "Connect with a WebSocket upgrade that offers the subprotocol keyward-agent.v1 (Sec-WebSocket-Protocol).");
    public static readonly KeywardError AgentCapacity = new("agent_capacity", 503, "This Keyward node has as many agents connected as it allows (Keyward:Agents:MaxAgents). The agent retries later.");
    public static readonly KeywardError EnrollRequestInvalid = new("enroll_request_invalid", 400, "label is 1 to 200 characters with no control or bidi-format characters; policy is \"attended\" or \"unattended\"; joiners names at most 100 accounts and the roles \"admin\" or \"user\"; lifetime_seconds is 60 to the configured maximum (Keyward:Agents:MaxEnrollTokenLifetime).");
    public static readonly KeywardError EnrollTokenNotFound = new("enroll_token_not_found", 404, "No unused enroll token has that id (it may have been used, revoked, or expired).");
    public static readonly KeywardError MachineNotFound = new("machine_not_found", 404, "No machine has that id (it may have been deleted).");
    public static readonly KeywardError MachineIdsInvalid = new("machine_ids_invalid", 400, "ids lists 1 to 100 machine ids.");
    public static readonly KeywardError AgentOffline = new("agent_offline", 503, "The machine's agent is not connected to this Keyward node.");
    public static readonly KeywardError AgentPortNotAllowed = new("agent_port_not_allowed", 403, "The agent does not allow a connection to that port (its allow-list).");
    public static readonly KeywardError AgentStreamFailed = new("agent_stream_failed", 502, "The agent could not open the stream (the service on the machine refused, or the agent does not support that kind of stream).");
    public static readonly KeywardError AgentStreamLimit = new("agent_stream_limit", 429, "The agent has as many streams open as Keyward allows (Keyward:Agents:MaxStreamsPerAgent). Close one and try again.");

    /// <summary>The refusal for an enroll token that failed its check.</summary>
    public static KeywardError From(EnrollFailure failure) => failure switch
    {
        EnrollFailure.Expired => EnrollTokenExpired,
        EnrollFailure.Consumed => EnrollTokenConsumed,
        EnrollFailure.Revoked => EnrollTokenRevoked,
        _ => EnrollTokenInvalid,
    };

    /// <summary>The refusal for an agent key that failed its check.</summary>
    public static KeywardError From(AgentKeyFailure failure) => failure switch
    {
        AgentKeyFailure.Revoked => AgentKeyRevoked,
        AgentKeyFailure.Deleted => AgentMachineDeleted,
        _ => AgentKeyInvalid,
    };

    private static KeywardError FromEnroll(EnrollFailure failure) => new(EnrollFailures.Code(failure), 401, EnrollFailures.Message(failure));

    private static KeywardError FromAgentKey(AgentKeyFailure failure) => new(AgentKeyFailures.Code(failure), 401, AgentKeyFailures.Message(failure));
}
