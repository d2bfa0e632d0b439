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
}
