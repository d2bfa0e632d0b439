using Keyward.Core.Cluster;
using Keyward.Server.Http;

namespace Keyward.Server.Cluster;

/// <summary>The revocation listener's diagnostic log (event ids 2100s, beside sessions). Never a credential: ids and states only.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(KeywardEventIds.RevocationListenerConnected, LogLevel.Information, "Revocation listener connected as {ApplicationName}; caches trusted again (generation {Generation}).")]
    public static partial void Connected(ILogger logger, string applicationName, long generation);

    [LoggerMessage(KeywardEventIds.RevocationListenerLost, LogLevel.Warning, "Revocation listener lost its connection; every request reads the database until it is back (retrying in {Delay}).")]
    public static partial void Lost(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(KeywardEventIds.RevocationNoticeIgnored, LogLevel.Warning, "A revocation notice of {Length} characters was not understood; ignored.")]
    public static partial void Ignored(ILogger logger, int length);

    [LoggerMessage(KeywardEventIds.RevocationNoticeApplied, LogLevel.Debug, "Applied a revocation from node {Node}: {Kind}, {Count} id(s).")]
    public static partial void Applied(ILogger logger, string node, RevocationKind kind, int count);

    [LoggerMessage(KeywardEventIds.RevocationIdsNotEnded, LogLevel.Warning, "A revocation notice named {Count} {Kind} id(s) that are not ended in the database; ignored (a forged or garbled notice: is the database open to other roles?).")]
    public static partial void NotEnded(ILogger logger, int count, RevocationKind kind);

    [LoggerMessage(KeywardEventIds.RevocationQueueOverflowed, LogLevel.Warning, "More than {Capacity} revocation notices are waiting to be applied; caches untrusted and the listener reconnects (a flood of notices?).")]
    public static partial void Overflowed(ILogger logger, int capacity);

    [LoggerMessage(KeywardEventIds.RevocationApplyFailed, LogLevel.Warning, "A revocation notice could not be checked against the database; caches untrusted and the listener reconnects.")]
    public static partial void ApplyFailed(ILogger logger, Exception exception);
}
