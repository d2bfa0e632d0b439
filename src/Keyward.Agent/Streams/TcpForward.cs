using System.Net;
using System.Net.Sockets;

namespace Keyward.Agent.Streams;

/// <summary>
/// The TCP forward handler: connects to 127.0.0.1:port, only for a port on the allow-list. Loopback only, by design:
/// the agent exposes services of its own machine (SSH, VNC, RDP), never a path into the machine's network.
/// </summary>
internal static class TcpForward
{
    public static async Task<(TcpClient? Client, string? Code)> OpenAsync(int port, IReadOnlySet<int> allowedPorts, CancellationToken cancellationToken)
    {
        if (port is < 1 or > 65535 || !allowedPorts.Contains(port))
        {
            return (null, "port_not_allowed");
        }

        var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, deadline.Token).ConfigureAwait(false);
            return (client, null);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return (null, "connect_failed");
        }
    }
}
