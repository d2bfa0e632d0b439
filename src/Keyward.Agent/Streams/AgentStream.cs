using System.Threading.Channels;

namespace Keyward.Agent.Streams;

/// <summary>
/// One stream of a support session: bytes from Keyward go to <c>input</c> through a bounded queue (when it is full
/// the socket is not read, which pushes back on Keyward through TCP), bytes read from <c>output</c> go to Keyward in
/// frames of at most 64 KiB through the connection's bounded send queue. Its data is never logged.
/// </summary>
internal sealed class AgentStream : IAsyncDisposable
{
    private readonly Stream _output;
    private readonly Stream _input;
    private readonly IAsyncDisposable _owner;
    private readonly Channel<byte[]> _inbound;
    private readonly CancellationTokenSource _life = new();
    private long _bytesIn;
    private long _bytesOut;
    private int _disposed;

    public AgentStream(uint id, string session, string kind, Stream output, Stream input, IAsyncDisposable owner, int queueFrames)
    {
        Id = id;
        Session = session;
        Kind = kind;
        _output = output;
        _input = input;
        _owner = owner;
        _inbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(queueFrames) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public uint Id { get; }

    public string Session { get; }

    public string Kind { get; }

    /// <summary>The terminal behind a <c>terminal</c> stream (for <c>resize</c>); null for a TCP forward.</summary>
    public TerminalSession? Terminal { get; init; }

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>Starts both pumps. <paramref name="send"/> queues a binary frame; <paramref name="ended"/> is called once when the machine side ends.</summary>
    public void Start(Func<byte[], int, CancellationToken, ValueTask> send, Func<AgentStream, Task> ended)
    {
        _ = PumpAsync(() => ReadLocalAsync(send), ended);
        _ = PumpAsync(WriteLocalAsync, ended);
    }

    /// <summary>Queues bytes from Keyward for the machine side; waits while the queue is full. Dropped once the stream closed.</summary>
    public async ValueTask DeliverAsync(byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            await _inbound.Writer.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // The stream closed while the frame was in flight.
        }
    }

    private async Task PumpAsync(Func<Task> pump, Func<AgentStream, Task> ended)
    {
        try
        {
            await pump().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or ChannelClosedException or InvalidOperationException)
        {
            // The machine side or the connection went away; ended below says so once.
        }

        if (!_life.IsCancellationRequested)
        {
            await ended(this).ConfigureAwait(false);
        }
    }

    private async Task ReadLocalAsync(Func<byte[], int, CancellationToken, ValueTask> send)
    {
        var token = _life.Token;
        var buffer = new byte[AgentProtocolHeaders.MaxPayload];
        while (true)
        {
            var read = await _output.ReadAsync(buffer, token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            // A frame of the size read (a keystroke is not 64 KiB): the send queue holds it until the writer has sent it.
            var frame = new byte[AgentProtocolHeaders.StreamIdLength + read];
            AgentMessages.WriteStreamId(frame, Id);
            buffer.AsSpan(0, read).CopyTo(frame.AsSpan(AgentProtocolHeaders.StreamIdLength));
            Interlocked.Add(ref _bytesOut, read);
            await send(frame, AgentProtocolHeaders.StreamIdLength + read, token).ConfigureAwait(false);
        }
    }

    private async Task WriteLocalAsync()
    {
        var token = _life.Token;
        await foreach (var payload in _inbound.Reader.ReadAllAsync(token).ConfigureAwait(false))
        {
            await _input.WriteAsync(payload.AsMemory(AgentProtocolHeaders.StreamIdLength), token).ConfigureAwait(false);
            await _input.FlushAsync(token).ConfigureAwait(false);
            Interlocked.Add(ref _bytesIn, payload.Length - AgentProtocolHeaders.StreamIdLength);
        }

        // Keyward's side is done writing (never happens today: a close from Keyward disposes the stream).
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _life.CancelAsync().ConfigureAwait(false);
        _inbound.Writer.TryComplete();
        await _owner.DisposeAsync().ConfigureAwait(false);
        _life.Dispose();
    }
}
