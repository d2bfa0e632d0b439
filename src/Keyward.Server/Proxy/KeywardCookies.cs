using System.Text;
using Keyward.Server.Http;
using Microsoft.Extensions.Primitives;

namespace Keyward.Server.Proxy;

/// <summary>
/// Keyward's cookie namespace: every cookie whose name starts with <c>keyward</c>, <c>__Host-keyward</c> or
/// <c>__Secure-keyward</c>, in any case. An upstream may neither set such a cookie in the browser nor receive one.
/// Names are read the way browsers read them (RFC 6265 §5.2): everything before the first '=', trimmed of whitespace.
/// </summary>
internal static class KeywardCookies
{
    /// <summary>True when the name, trimmed, is in Keyward's namespace.</summary>
    public static bool IsKeywardName(ReadOnlySpan<char> name) => KeywardCookieNamespace.Contains(name);

    /// <summary>
    /// True for an upstream <c>Set-Cookie</c> the browser must not see: one in Keyward's namespace, or a nameless one.
    /// </summary>
    public static bool IsRefusedSetCookie(string? setCookie)
    {
        if (setCookie is null)
        {
            return false;
        }

        // RFC 6265 §5.2 step 1: the name-value pair runs to the first ';'; step 3: the name is what precedes its first '='.
        var pair = setCookie.AsSpan();
        var semicolon = pair.IndexOf(';');
        if (semicolon >= 0)
        {
            pair = pair[..semicolon];
        }

        // A pair without '=' (§5.2 step 2) or with nothing before it is nameless. RFC 6265 ignores it, but RFC 6265bis
        // and Chromium store it and send the value bare, where a server reads "keyward_x=…" as a cookie of that name.
        // No upstream needs one, so Keyward drops every nameless Set-Cookie rather than judge its value.
        var equals = pair.IndexOf('=');
        return equals < 0 || pair[..equals].Trim().IsEmpty || IsKeywardName(pair[..equals]);
    }

    /// <summary>
    /// The upstream's <c>Set-Cookie</c> values without the refused ones; false (and no allocation) when none is refused.
    /// </summary>
    public static bool TryRemoveRefused(StringValues setCookies, out StringValues kept)
    {
        var refused = 0;
        foreach (var value in setCookies)
        {
            if (IsRefusedSetCookie(value))
            {
                refused++;
            }
        }

        if (refused == 0)
        {
            kept = setCookies;
            return false;
        }

        var values = new string?[setCookies.Count - refused];
        var next = 0;
        foreach (var value in setCookies)
        {
            if (!IsRefusedSetCookie(value))
            {
                values[next++] = value;
            }
        }

        kept = new StringValues(values);
        return true;
    }

    /// <summary>True when a client's <c>Cookie</c> header carries any cookie in Keyward's namespace.</summary>
    public static bool HasKeywardCookie(StringValues cookieHeaders)
    {
        foreach (var value in cookieHeaders)
        {
            if (value is not null && HasKeywardCookie(value.AsSpan()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The client's <c>Cookie</c> header without Keyward's cookies; null when none is left.</summary>
    public static string? WithoutKeywardCookies(StringValues cookieHeaders)
    {
        var kept = new StringBuilder();
        foreach (var value in cookieHeaders)
        {
            var header = value.AsSpan();
            foreach (var range in header.Split(';'))
            {
                var piece = header[range].Trim();
                if (!HasKeywardCookie(piece))
                {
                    Append(kept, piece);
                    continue;
                }

                // ASP.NET Core's cookie parser also splits on ',', so a pair after a ',' is a cookie to it: keep the others.
                foreach (var subrange in piece.Split(','))
                {
                    var part = piece[subrange].Trim();
                    if (!IsKeywardPair(part))
                    {
                        Append(kept, part);
                    }
                }
            }
        }

        return kept.Length == 0 ? null : kept.ToString();
    }

    private static bool HasKeywardCookie(ReadOnlySpan<char> header)
    {
        foreach (var range in header.SplitAny(';', ','))
        {
            if (IsKeywardPair(header[range]))
            {
                return true;
            }
        }

        return false;
    }

    // A pair without '=' is judged by all of it: a bare "keyward_x" is what a browser sends for a nameless cookie.
    private static bool IsKeywardPair(ReadOnlySpan<char> pair)
    {
        var equals = pair.IndexOf('=');
        return IsKeywardName(equals < 0 ? pair : pair[..equals]);
    }

    private static void Append(StringBuilder kept, ReadOnlySpan<char> pair)
    {
        if (pair.IsEmpty)
        {
            return;
        }

        if (kept.Length > 0)
        {
            kept.Append("; ");
        }

        kept.Append(pair);
    }
}
