using Microsoft.Extensions.Logging;

namespace Keyward.Agent;

/// <summary>The agent's log messages. Never a token, a key or stream data: ids, codes, counts and addresses only.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(AgentEventIds.Enrolling, LogLevel.Information, "Enrolling with Keyward at {Server}")]
    public static partial void Enrolling(ILogger logger, string server);

    [LoggerMessage(AgentEventIds.Enrolled, LogLevel.Information, "Enrolled as machine {MachineId}; state saved in {Directory}")]
    public static partial void Enrolled(ILogger logger, string machineId, string directory);

    [LoggerMessage(AgentEventIds.EnrollRefused, LogLevel.Warning, "Keyward refused the enrollment: {Status} {Code}")]
    public static partial void EnrollRefused(ILogger logger, int status, string code);

    [LoggerMessage(AgentEventIds.TlsRefused, LogLevel.Warning, "The certificate of {Server} does not chain to the pinned CA or does not name the server; not connecting")]
    public static partial void TlsRefused(ILogger logger, string server);

    [LoggerMessage(AgentEventIds.Connecting, LogLevel.Debug, "Connecting to {Server} (attempt {Attempt})")]
    public static partial void Connecting(ILogger logger, string server, int attempt);

    [LoggerMessage(AgentEventIds.Connected, LogLevel.Information, "Connected as machine {MachineId}; heartbeat every {HeartbeatSeconds} s")]
    public static partial void Connected(ILogger logger, string machineId, int heartbeatSeconds);

    [LoggerMessage(AgentEventIds.Disconnected, LogLevel.Information, "Disconnected: {Reason}")]
    public static partial void Disconnected(ILogger logger, string reason);

    [LoggerMessage(AgentEventIds.Replaced, LogLevel.Warning, "Keyward closed this connection because another connection with this machine's agent key ({MachineId}) replaced it (4409). If no other copy of this agent runs, the key may be stolen: ask an admin to revoke it and enroll again. Reconnecting after a short fixed wait; Keyward revokes a key that is replaced repeatedly.")]
    public static partial void Replaced(ILogger logger, string machineId);

    [LoggerMessage(AgentEventIds.Reconnecting, LogLevel.Information, "Reconnecting in {DelayMs} ms")]
    public static partial void Reconnecting(ILogger logger, long delayMs);

    [LoggerMessage(AgentEventIds.KeyRevoked, LogLevel.Error, "Keyward refused this agent's key ({How}): it was revoked or the machine deleted. Stopping for good rather than retrying a key that will not work; enroll again with a new enroll token.")]
    public static partial void KeyRevoked(ILogger logger, string how);

    [LoggerMessage(AgentEventIds.ConnectFailed, LogLevel.Warning, "Could not connect: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string reason);

    [LoggerMessage(AgentEventIds.FrameTooLarge, LogLevel.Warning, "Keyward sent a frame over the limit ({Limit} bytes); closing with 1009")]
    public static partial void FrameTooLarge(ILogger logger, int limit);

    [LoggerMessage(AgentEventIds.ProtocolViolation, LogLevel.Warning, "Protocol violation: {What}; closing with 1008")]
    public static partial void ProtocolViolation(ILogger logger, string what);

    [LoggerMessage(AgentEventIds.ConsentAsked, LogLevel.Information, "Consent asked for support session {Session} (request {Request})")]
    public static partial void ConsentAsked(ILogger logger, string session, string request);

    [LoggerMessage(AgentEventIds.ConsentAnswered, LogLevel.Information, "Consent for request {Request}: {Accepted}")]
    public static partial void ConsentAnswered(ILogger logger, string request, bool accepted);

    [LoggerMessage(AgentEventIds.ConsentTimedOut, LogLevel.Information, "Consent for request {Request} timed out; answered no")]
    public static partial void ConsentTimedOut(ILogger logger, string request);

    [LoggerMessage(AgentEventIds.StreamOpened, LogLevel.Information, "Stream {Stream} opened ({Kind}) for support session {Session}")]
    public static partial void StreamOpened(ILogger logger, uint stream, string kind, string session);

    [LoggerMessage(AgentEventIds.StreamRefused, LogLevel.Warning, "Stream {Stream} ({Kind}) not opened: {Code}")]
    public static partial void StreamRefused(ILogger logger, uint stream, string kind, string code);

    [LoggerMessage(AgentEventIds.StreamClosed, LogLevel.Information, "Stream {Stream} closed; {BytesIn} bytes in, {BytesOut} bytes out")]
    public static partial void StreamClosed(ILogger logger, uint stream, long bytesIn, long bytesOut);

    [LoggerMessage(AgentEventIds.ResizeIgnored, LogLevel.Debug, "Resize of stream {Stream} ignored: {Why}")]
    public static partial void ResizeIgnored(ILogger logger, uint stream, string why);
}
