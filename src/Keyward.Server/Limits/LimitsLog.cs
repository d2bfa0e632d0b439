using Keyward.Server.Http;

namespace Keyward.Server.Limits;

internal static partial class LimitsLog
{
    [LoggerMessage(KeywardEventIds.ClusterCountersUnavailable, LogLevel.Warning, "The shared rate-limit counters could not be read; sign-in limits fall back to this node's own counts.")]
    public static partial void FellBack(ILogger logger, Exception exception);
}
