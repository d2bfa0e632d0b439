using System.Net;
using System.Net.Sockets;

namespace Keyward.Client;

/// <summary>
/// Picks a free loopback TCP port: bind to port 0, read it back, release it. Another process may take the port
/// before the caller binds it, so use it only where a retry or a test failure is acceptable (demos, tests, benches).
/// </summary>
public static class FreePort
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
