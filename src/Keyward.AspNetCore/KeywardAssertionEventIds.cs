namespace Keyward.AspNetCore;

/// <summary>
/// Event ids of this package's logs. Keyward bands ids by area (1000s WebAuthn … 8000s audit); this package,
/// which runs inside the services behind Keyward rather than in Keyward, uses the 9000s.
/// </summary>
internal static class KeywardAssertionEventIds
{
    public const int AssertionValidated = 9001;
    public const int AssertionRejected = 9002;
    public const int AssertionValidationException = 9003;
    public const int AssertionHeaderRepeated = 9004;

    public const int JwksFetched = 9101;
    public const int JwksFetchFailed = 9102;
    public const int JwksKeepingStaleKeys = 9103;
    public const int JwksKeySkipped = 9104;
    public const int JwksRefreshForUnknownKey = 9105;
    public const int JwksRefreshRateLimited = 9106;
}
