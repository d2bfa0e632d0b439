namespace Keyward.Samples.Counter;

/// <summary>The counter's log lines (event ids 9500s: samples).</summary>
internal static partial class Log
{
    [LoggerMessage(9501, LogLevel.Information, "Counter storage: {DatabasePath} (WAL).")]
    public static partial void StorageReady(this ILogger logger, string databasePath);

    [LoggerMessage(9502, LogLevel.Debug, "Counter incremented to {Value} by account {Subject}.")]
    public static partial void Incremented(this ILogger logger, long value, string? subject);
}
