using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Keyward.Client;

/// <summary>
/// Picks a free loopback TCP port for a server that must know its port before it binds (Keyward's origin names it).
/// The port is probed (bound and released), so another process may still take it before the caller binds it: use it
/// only where a retry or a test failure is acceptable (demos, tests, benches).
/// </summary>
/// <remarks>
/// It picks below the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>, 32768–60999 by
/// default), not with bind(0): bind(0) hands out a port from the same range the kernel gives every outgoing
/// connection, so on a busy machine (a test run opening thousands of connections) an outgoing socket took the port
/// between the probe and the server's bind ("address already in use", seen in CI). Below the range only another
/// explicit bind can collide, and the random choice makes that unlikely. Falls back to bind(0) where the range is
/// unknown or nothing below it was free in a few tries.
/// </remarks>
public static class FreePort
{
    private const int Lowest = 10_000;
    private const int Tries = 20;

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next()
    {
        if (EphemeralLow() is int low && low - Lowest >= 1_000)
        {
            for (var i = 0; i < Tries; i++)
            {
                var port = RandomNumberGenerator.GetInt32(Lowest, low);
                if (IsFree(port))
                {
                    return port;
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The first port of the kernel's ephemeral range, or null where it cannot be read (not Linux).
    private static int? EphemeralLow()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            var first = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var low) ? low : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
