using Keyward.Server.Http;

namespace Keyward.Server.Sessions;

/// <summary>Diagnostic logs of sessions (the 2000 band). Never a token.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(KeywardEventIds.SessionEnded, LogLevel.Information, "Session {SessionId} ended on this node.")]
    public static partial void Ended(ILogger logger, Guid sessionId);
}
