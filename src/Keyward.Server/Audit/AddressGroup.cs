using System.Net;
using System.Net.Sockets;

namespace Keyward.Server.Audit;

/// <summary>
/// The client address refusals are counted under: an IPv4 address as it is, an IPv6 address as its /64 (one
/// subscriber's usual allocation, so one client cannot make a count per address), <c>unknown</c> without one.
/// </summary>
internal static class AddressGroup
{
    /// <summary>The group name of <paramref name="address"/>, e.g. <c>192.0.2.7</c> or <c>2001:db8:1:2::/64</c>.</summary>
    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return string.Concat(new IPAddress(bytes).ToString(), "/64");
    }
}
