namespace Keyward.Server.Http;

/// <summary>
/// Keyward's cookie namespace: every cookie whose name starts with <c>keyward</c>, <c>__Host-keyward</c> or
/// <c>__Secure-keyward</c>, in any case. Read the way browsers read names (RFC 6265 §5.2): trimmed of whitespace.
/// The proxy keeps upstreams out of it; the same-origin check treats a request carrying one as cookie-authenticated.
/// </summary>
internal static class KeywardCookieNamespace
{
    /// <summary>True when the name, trimmed, is in Keyward's namespace.</summary>
    public static bool Contains(ReadOnlySpan<char> name)
    {
        name = name.Trim();
        return name.StartsWith("keyward", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("__Host-keyward", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("__Secure-keyward", StringComparison.OrdinalIgnoreCase);
    }
}
