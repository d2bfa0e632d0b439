namespace Keyward.Server.Http;

/// <summary>
/// The shared counters could not be read or written. A guessable check (setup code, support code, join, enroll, recovery code) is then
/// refused with 503 <c>storage_busy</c> rather than made unlimited; sign-in falls back to this node's own limits.
/// The message names no key and carries no provider text.
/// </summary>
internal sealed class ClusterCountersUnavailableException(Exception inner)
    : Exception("The shared rate-limit counters in the database could not be read or written.", inner);
