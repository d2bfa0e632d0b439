using Keyward.Server.Http;

namespace Keyward.Server.Agents;

/// <summary>The agent plane's diagnostic log (event ids 5000s). Never a token or key.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(KeywardEventIds.AgentConnected, LogLevel.Information, "Agent of machine {MachineId} connected.")]
    public static partial void Connected(ILogger logger, Guid machineId);

    [LoggerMessage(KeywardEventIds.AgentDisconnected, LogLevel.Information, "Agent of machine {MachineId} disconnected: {Status} {Reason}.")]
    public static partial void Disconnected(ILogger logger, Guid machineId, int? status, string? reason);

    [LoggerMessage(KeywardEventIds.AgentProtocolViolation, LogLevel.Warning, "Agent of machine {MachineId} broke the protocol; its socket was closed (1008).")]
    public static partial void ProtocolViolation(ILogger logger, Guid machineId);

    [LoggerMessage(KeywardEventIds.AgentAuditFailed, LogLevel.Error, "The disconnection of machine {MachineId}'s agent could not be audited.")]
    public static partial void AuditFailed(ILogger logger, Guid machineId, Exception exception);

    [LoggerMessage(KeywardEventIds.AgentSweepFailed, LogLevel.Warning, "Checking live agents against the key store failed; retrying at the next sweep.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(KeywardEventIds.AgentKeyStoreFailed, LogLevel.Error, "The agent key store could not be read; the connection was refused (fail closed).")]
    public static partial void KeyStoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(KeywardEventIds.AgentLastSeenFailed, LogLevel.Warning, "Recording when machine {MachineId} was last seen failed.")]
    public static partial void LastSeenFailed(ILogger logger, Guid machineId, Exception exception);

    [LoggerMessage(KeywardEventIds.AgentQuarantined, LogLevel.Warning, "Machine {MachineId}'s agent key was replaced {Count} times within the window: key presumed stolen, revoked; an admin must enroll the machine again.")]
    public static partial void Quarantined(ILogger logger, Guid machineId, int count);
}
