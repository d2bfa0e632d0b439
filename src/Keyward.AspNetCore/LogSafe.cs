namespace Keyward.AspNetCore;

/// <summary>Shortens values from untrusted input before they reach a log line.</summary>
internal static class LogSafe
{
    private const int MaxKidLength = 32;

    /// <summary>A kid is not secret, but one from an unverified token is attacker-chosen: keep it short.</summary>
    public static string Kid(string? kid) =>
        kid is null ? "(none)" : kid.Length <= MaxKidLength ? kid : string.Concat(kid.AsSpan(0, MaxKidLength), "…");
}
