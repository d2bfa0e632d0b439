using Microsoft.Extensions.Logging;

namespace Keyward.AspNetCore;

/// <summary>
/// Every log line of this package. None carries a token: at most its kid (shortened, see <see cref="LogSafe"/>),
/// the account id, and the refusal code.
/// </summary>
internal static partial class LoggingExtensions
{
    [LoggerMessage(KeywardAssertionEventIds.AssertionValidated, LogLevel.Debug, "Keyward assertion accepted for account {Subject} (kid {Kid}).")]
    public static partial void AssertionValidated(this ILogger logger, string? subject, string kid);

    [LoggerMessage(KeywardAssertionEventIds.AssertionRejected, LogLevel.Information, "Keyward assertion refused: {Code} (kid {Kid}).")]
    public static partial void AssertionRejected(this ILogger logger, string code, string kid);

    [LoggerMessage(KeywardAssertionEventIds.AssertionValidationException, LogLevel.Debug, "Keyward assertion with kid {Kid} failed validation with {ExceptionType}.")]
    public static partial void AssertionValidationException(this ILogger logger, string kid, string exceptionType);

    [LoggerMessage(KeywardAssertionEventIds.AssertionHeaderRepeated, LogLevel.Information, "Request carries {Count} Keyward-Assertion headers; refused as ambiguous.")]
    public static partial void AssertionHeaderRepeated(this ILogger logger, int count);

    [LoggerMessage(KeywardAssertionEventIds.JwksFetched, LogLevel.Information, "Fetched Keyward's JWKS from {JwksUri}: {Count} signing keys ({Kids}).")]
    public static partial void JwksFetched(this ILogger logger, Uri jwksUri, int count, string kids);

    [LoggerMessage(KeywardAssertionEventIds.JwksFetchFailed, LogLevel.Warning, "Could not fetch Keyward's JWKS from {JwksUri}: {Reason} {Detail}")]
    public static partial void JwksFetchFailed(this ILogger logger, Uri jwksUri, string reason, string detail);

    [LoggerMessage(KeywardAssertionEventIds.JwksKeepingStaleKeys, LogLevel.Warning, "Keeping the {Count} signing keys fetched at {FetchedAt:O} until Keyward's JWKS can be fetched again.")]
    public static partial void JwksKeepingStaleKeys(this ILogger logger, int count, DateTimeOffset fetchedAt);

    [LoggerMessage(KeywardAssertionEventIds.JwksKeySkipped, LogLevel.Warning, "Skipped a key in Keyward's JWKS (kid {Kid}): {Reason}.")]
    public static partial void JwksKeySkipped(this ILogger logger, string kid, string reason);

    [LoggerMessage(KeywardAssertionEventIds.JwksRefreshForUnknownKey, LogLevel.Information, "Assertion names kid {Kid}, which is not cached: fetching Keyward's JWKS again.")]
    public static partial void JwksRefreshForUnknownKey(this ILogger logger, string kid);

    [LoggerMessage(KeywardAssertionEventIds.JwksRefreshRateLimited, LogLevel.Information, "Assertion names kid {Kid}, which is not cached; not fetching the JWKS again for another {Wait}.")]
    public static partial void JwksRefreshRateLimited(this ILogger logger, string kid, TimeSpan wait);
}
