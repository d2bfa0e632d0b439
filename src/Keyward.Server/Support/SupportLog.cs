using Keyward.Server.Http;

namespace Keyward.Server.Support;

/// <summary>The support slice's diagnostic log messages (never a token or code).</summary>
internal static partial class SupportLog
{
    [LoggerMessage(KeywardEventIds.ViewerRefused, LogLevel.Debug, "Viewer socket for support session {SupportSessionId} refused: {Code}.")]
    public static partial void ViewerRefused(ILogger logger, string supportSessionId, string code);

    [LoggerMessage(KeywardEventIds.ViewerClosed, LogLevel.Information, "Viewer socket {ViewerId} of support session {SupportSessionId} closed: {Cause}.")]
    public static partial void ViewerClosed(ILogger logger, Guid viewerId, Guid supportSessionId, string cause);

    [LoggerMessage(KeywardEventIds.SupportAuditFailed, LogLevel.Warning, "Could not record {Action} in the audit log.")]
    public static partial void AuditFailed(ILogger logger, string action, Exception exception);

    [LoggerMessage(KeywardEventIds.SupportSweepFailed, LogLevel.Warning, "The support sweep (reaping stale sessions, revoking join tokens, closing viewers) failed; it runs again.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
