using System.Globalization;

namespace Keyward.Server.Http;

/// <summary>
/// <c>Strict-Transport-Security</c> (RFC 6797) on every response Keyward sends over https, on its own origin and on
/// proxied hosts alike (<c>Keyward:Hsts</c>). Never sent over plain http, where browsers ignore it (RFC 6797 §7.2).
/// </summary>
public sealed class HstsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Hsts";

    /// <summary>The longest <see cref="MaxAge"/> accepted: two years, what the browsers' preload lists ask for.</summary>
    public static readonly TimeSpan MaxMaxAge = TimeSpan.FromDays(730);

    /// <summary>Send the header on https responses (default on).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long browsers must use https only for the host (default 365 days; 0 makes them forget it).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Also pin every subdomain of the host to https (default off): Keyward cannot know that every name below its own
    /// and its app hosts serves https, and a wrong pin breaks those sites for <see cref="MaxAge"/>.
    /// </summary>
    public bool IncludeSubDomains { get; set; }

    /// <summary>The header value, e.g. <c>max-age=31536000</c>.</summary>
    public string HeaderValue =>
        "max-age=" + ((long)MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture) + (IncludeSubDomains ? "; includeSubDomains" : string.Empty);

    /// <summary>Returns every problem, each saying how to fix it.</summary>
    public IReadOnlyList<string> Validate() =>
        MaxAge < TimeSpan.Zero || MaxAge > MaxMaxAge
            ? ["Keyward:Hsts:MaxAge must be between 0 (browsers forget the pin) and 730.00:00:00 (two years), e.g. 365.00:00:00."]
            : [];
}
