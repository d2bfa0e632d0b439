namespace Keyward.Authenticator;

/// <summary>
/// The checks a browser makes before it lets a page use an RP ID (WebAuthn L3 §5.1.3 steps 4–8, §5.1.4.1):
/// the page must be a secure context, and the RP ID must be its host or a parent domain of it.
/// </summary>
internal static class ClientOrigin
{
    /// <summary>
    /// Returns the serialized origin (scheme://host[:port], default port omitted) and the RP ID to use.
    /// Throws <see cref="ArgumentException"/> when <paramref name="origin"/> is not an origin at all (a caller bug:
    /// a browser never has one); returns SecurityError when it is an origin that may not use the RP ID.
    /// </summary>
    public static AuthenticatorResult<(string Origin, string RpId)> Resolve(string origin, string? rpId, bool skipChecks)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        if (skipChecks)
        {
            var fallback = rpId ?? (Uri.TryCreate(origin, UriKind.Absolute, out var loose) ? loose.IdnHost : null);
            return fallback is null
                ? AuthenticatorResult<(string, string)>.Fail(AuthenticatorError.MalformedOptions, "no RP ID given and none can be derived from the origin")
                : AuthenticatorResult<(string, string)>.Ok((origin, fallback));
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http")
            || uri.UserInfo.Length != 0
            || uri.PathAndQuery != "/"
            || uri.Fragment.Length != 0
            || origin.EndsWith('/'))
        {
            throw new ArgumentException("The origin must be scheme://host[:port], such as \"https://example.org\", with no path or trailing slash.", nameof(origin));
        }

        var host = uri.IdnHost.ToLowerInvariant();
        var serialized = uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
        var localhost = host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal);
        if (uri.Scheme != "https" && !localhost)
        {
            return AuthenticatorResult<(string, string)>.Fail(AuthenticatorError.SecurityError, $"{serialized} is not a secure context");
        }

        if (uri.HostNameType is not UriHostNameType.Dns)
        {
            return AuthenticatorResult<(string, string)>.Fail(AuthenticatorError.SecurityError, "an IP address cannot be an RP ID");
        }

        var effective = rpId ?? host;
        var normalized = effective.ToLowerInvariant();
        var allowed = normalized.Length > 0 && !normalized.StartsWith('.')
            && (host == normalized || host.EndsWith("." + normalized, StringComparison.Ordinal));
        if (!allowed)
        {
            return AuthenticatorResult<(string, string)>.Fail(AuthenticatorError.SecurityError, $"RP ID \"{effective}\" is not {host} or a parent domain of it");
        }

        return AuthenticatorResult<(string, string)>.Ok((serialized, effective));
    }
}
