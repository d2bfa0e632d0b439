using System.Collections.Frozen;
using System.Net;
using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Proxy;

/// <summary>
/// The host allow-list: Keyward's own host (<c>PublicOrigin</c>'s, and the <c>Listen</c> address when it names one
/// address, for clients that connect by address; an IP literal cannot be rebound by DNS) and every browser route's
/// host. Ports are ignored. Built once, on first use; a lookup allocates nothing.
/// </summary>
internal sealed class KeywardHosts(IOptions<KeywardOptions> keyward, IOptions<ProxyOptions> proxy)
{
    private readonly Lazy<Map> _map = new(() => Build(keyward.Value, proxy.Value));

    /// <summary>Keyward's own origin, as the host gate classifies it.</summary>
    public RequestHost Keyward => _map.Value.Keyward;

    /// <summary>The host a <c>Host</c> header value names (port ignored), or null when it is not one of Keyward's.</summary>
    public RequestHost? Find(string? hostHeader)
    {
        if (string.IsNullOrEmpty(hostHeader))
        {
            return null;
        }

        var name = hostHeader.AsSpan();
        if (name[0] == '[')
        {
            var end = name.IndexOf(']');
            name = end < 0 ? [] : name[..(end + 1)];
        }
        else if (name.LastIndexOf(':') is var colon and >= 0)
        {
            name = name[..colon];
        }

        return _map.Value.Hosts.TryGetValue(name, out var host) ? host : null;
    }

    /// <summary>The app host of <paramref name="name"/>, or null when it is not a browser route's host.</summary>
    public RequestHost? FindApp(string? name) => Find(name) is { IsApp: true } host ? host : null;

    private static Map Build(KeywardOptions keyward, ProxyOptions proxy)
    {
        var origin = new Uri(keyward.EffectiveOrigin);
        var own = new RequestHost(origin.Host.ToLowerInvariant(), IsApp: false, keyward.EffectiveOrigin);
        var hosts = new Dictionary<string, RequestHost>(StringComparer.OrdinalIgnoreCase) { [own.Name] = own };
        if (Uri.TryCreate(keyward.Listen, UriKind.Absolute, out var listen) && IsOneAddress(listen.Host))
        {
            hosts.TryAdd(listen.Host, own);
        }

        var port = origin.IsDefaultPort ? string.Empty : ":" + origin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var route in proxy.Routes.Values)
        {
            if (route.Host is { } name)
            {
                var lower = name.ToLowerInvariant();
                hosts.TryAdd(lower, new RequestHost(lower, IsApp: true, $"{origin.Scheme}://{lower}{port}"));
            }
        }

        var frozen = hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        return new Map(own, frozen.GetAlternateLookup<ReadOnlySpan<char>>());
    }

    // localhost or an address other than "any" (0.0.0.0, ::), which names no host a client could send.
    private static bool IsOneAddress(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any));

    private sealed record Map(RequestHost Keyward, FrozenDictionary<string, RequestHost>.AlternateLookup<ReadOnlySpan<char>> Hosts);
}
