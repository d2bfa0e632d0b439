using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Keyward.LoadBench.Support;

/// <summary>One download through a path: the bytes received, checked against the source's block, and when they came.</summary>
internal sealed record Transfer(string Path, long Bytes, bool Intact, TimeSpan FirstByte, TimeSpan Streaming, double? MachineBusy, TimeSpan BenchCpu, TimeSpan RelayProcessCpu)
{
    /// <summary>CPU of this process (client, source and, on the Keyward path, Keyward, agent and viewer) per MB.</summary>
    public double BenchCpuMillisecondsPerMegabyte => Bytes > 0 ? BenchCpu.TotalMilliseconds / (Bytes / 1e6) : 0;

    /// <summary>CPU of the relay's other process per MB: socat on the plain path, the agent on the Keyward path; zero on direct.</summary>
    public double RelayProcessCpuMillisecondsPerMegabyte => Bytes > 0 ? RelayProcessCpu.TotalMilliseconds / (Bytes / 1e6) : 0;

    /// <summary>MB/s (10^6 bytes) from the first byte to the last.</summary>
    public double MegabytesPerSecond => Streaming > TimeSpan.Zero ? Bytes / 1e6 / Streaming.TotalSeconds : 0;

    /// <summary>Connects to <paramref name="port"/>, sends the request byte and reads to the end, comparing every byte with <paramref name="source"/>'s block.</summary>
    public static async Task<Transfer> RunAsync(string path, int port, ByteSource source, CancellationToken cancellationToken)
    {
        var (busy0, total0) = Measurement.MachineCpu.Read();
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var client = await ConnectAsync(port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { (byte)'G' }, cancellationToken);
        var buffer = new byte[256 * 1024];
        long received = 0;
        var intact = true;
        TimeSpan? first = null;
        while (true)
        {
            var count = await stream.ReadAsync(buffer, cancellationToken);
            if (count == 0)
            {
                break;
            }

            first ??= clock.Elapsed;
            intact &= Matches(source.Block, received, buffer.AsSpan(0, count));
            received += count;
        }

        var end = clock.Elapsed;
        var (busy1, total1) = Measurement.MachineCpu.Read();
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpu0;
        var firstByte = first ?? end;
        return new Transfer(path, received, intact && received == source.Total, firstByte, end - firstByte, total1 > total0 ? (double)(busy1 - busy0) / (total1 - total0) : null, cpu, TimeSpan.Zero);
    }

    /// <summary>Connects, retrying while nothing listens yet (a socat started for this transfer), for at most 10 s.</summary>
    private static async Task<TcpClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return client;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && attempt < 500)
            {
                client.Dispose();
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private static bool Matches(byte[] block, long position, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var offset = (int)(position % block.Length);
            var length = Math.Min(data.Length, block.Length - offset);
            if (!data[..length].SequenceEqual(block.AsSpan(offset, length)))
            {
                return false;
            }

            data = data[length..];
            position += length;
        }

        return true;
    }
}
