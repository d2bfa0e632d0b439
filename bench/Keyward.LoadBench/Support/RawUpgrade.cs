using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Keyward.Client;

namespace Keyward.LoadBench.Support;

/// <summary>
/// An agent's WebSocket upgrade to <c>/agent/v1/connect</c> sent by hand over TLS, held back by its last byte: the
/// connection and TLS handshake are done beforehand, so many binders' requests can reach Keyward at the same instant.
/// </summary>
internal sealed class RawUpgrade : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private RawUpgrade(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    /// <summary>
    /// Connects from <paramref name="from"/> (any 127.0.0.0/8 address is this machine's loopback on Linux, so binders
    /// can be distinct clients to Keyward's per-address limits), handshakes, and sends all of the upgrade but its final
    /// line feed.
    /// </summary>
    public static async Task<RawUpgrade> PrepareAsync(IPAddress from, int port, string caFile, string credential, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient(new IPEndPoint(from, 0)) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = CaTrust.Only(caFile),
            }, cancellationToken);
            var request = string.Create(CultureInfo.InvariantCulture,
                $"GET /agent/v1/connect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: keyward-agent.v1\r\nKeyward-Agent-Version: bench\r\nAuthorization: Bearer {credential}\r\n\r");
            await tls.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
            await tls.FlushAsync(cancellationToken);
            return new RawUpgrade(tcp, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends the last byte and reads the answer: its status and, for a refusal, its body (the problem).</summary>
    public async Task<(int Status, string Body)> FireAsync(CancellationToken cancellationToken)
    {
        await _tls.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await _tls.FlushAsync(cancellationToken);
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var count = await _tls.ReadAsync(buffer, cancellationToken);
            if (count == 0)
            {
                throw new IOException("Keyward closed the connection before answering the upgrade");
            }

            received.AddRange(buffer.AsSpan(0, count));
        }

        var head = Encoding.ASCII.GetString([.. received.Take(headEnd)]);
        var status = int.Parse(head.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        if (status == 101)
        {
            return (status, string.Empty);
        }

        var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
        while (received.Count - headEnd - 4 < length)
        {
            var count = await _tls.ReadAsync(buffer, cancellationToken);
            if (count == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, count));
        }

        return (status, Encoding.UTF8.GetString([.. received.Skip(headEnd + 4)]));
    }

    private static int IndexOfHeadEnd(List<byte> data)
    {
        for (var i = 0; i + 3 < data.Count; i++)
        {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
