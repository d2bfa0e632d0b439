namespace Keyward.Server.Proxy;

/// <summary>What a browser route's <c>Host</c> may be: a DNS name (RFC 1123 labels), lower case when compared.</summary>
internal static class RouteHosts
{
    /// <summary>
    /// True for a DNS name of letters, digits and '-' in dot-separated labels of 1 to 63 characters (no leading or
    /// trailing '-'), at most 253 characters, whose last label is not all digits (an IPv4 address is not a host route).
    /// So no scheme, port, path, wildcard or trailing dot.
    /// </summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 253)
        {
            return false;
        }

        var span = name.AsSpan();
        var lastAllDigits = false;
        foreach (var range in span.Split('.'))
        {
            var label = span[range];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            lastAllDigits = true;
            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }

                lastAllDigits &= char.IsAsciiDigit(c);
            }
        }

        return !lastAllDigits;
    }
}
