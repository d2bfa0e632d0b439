using System.Net;
using System.Net.Sockets;

namespace Keyward.LoadBench.Support;

/// <summary>
/// The service on the machine's side of a forward: on each connection it waits for one request byte, then sends
/// <see cref="Total"/> bytes (a 1 MiB random block, repeated) and closes. A connection that closes before its request
/// byte (a readiness probe) gets nothing.
/// </summary>
internal sealed class ByteSource : IDisposable
{
    public const int BlockSize = 1024 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ByteSource(long total)
    {
        Total = total;
        Block = new byte[BlockSize];
        new Random(11).NextBytes(Block);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public long Total { get; }

    /// <summary>What the stream repeats: byte <c>i</c> of the stream is <c>Block[i % BlockSize]</c>.</summary>
    public byte[] Block { get; }

    public int Port { get; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                var request = new byte[1];
                if (await client.ReceiveAsync(request, _stop.Token) != 1)
                {
                    return;
                }

                var left = Total;
                while (left > 0)
                {
                    var chunk = (int)Math.Min(left, 64 * 1024);
                    var offset = (int)((Total - left) % BlockSize);
                    chunk = Math.Min(chunk, BlockSize - offset);
                    await client.SendAsync(Block.AsMemory(offset, chunk), _stop.Token);
                    left -= chunk;
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The reader went away; it reports the short count.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
