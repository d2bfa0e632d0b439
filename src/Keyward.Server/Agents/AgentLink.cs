using System.Collections.Concurrent;
using System.Net.WebSockets;
using Keyward.Core.Agents;
using Keyward.Server.Http;

namespace Keyward.Server.Agents;

/// <summary>
/// One connected agent: its socket, speaking <c>keyward-agent.v1</c> (docs/remote-support.md). Keyward sends
/// <c>hello</c> first; the agent keeps the link alive with heartbeats (silent for <see cref="AgentProtocol.MissedHeartbeats"/>
/// intervals on the <see cref="TimeProvider"/> and it is closed with 4408). The API the support slice calls:
/// <see cref="AskConsentAsync"/>, <see cref="OpenStreamAsync"/>, <see cref="EndSession"/> and the
/// <see cref="SessionEndedByAgent"/> event. Frames are bounded (text 16 KiB, binary <see cref="AgentOptions.MaxFrameBytes"/>;
/// larger closes with 1009); anything the protocol does not allow closes with 1008.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes the socket and its token source when the link ends; the send gate outlives it for late senders, which then find the link closed.")]
internal sealed partial class AgentLink
{
    private readonly WebSocket _socket;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly MachineService _machines;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<uint, AgentStream> _streams = new();
    private readonly ConcurrentDictionary<Guid, PendingConsent> _consents = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly EndedSessions _endedSessions = new();
    private readonly EndedSessions _namedSessions = new();
    private readonly EndedSessions _endedByAgent = new();
    private int _closing;
    private int _nextStream;
    private long _lastHeard;
    private long _lastRecorded;
    private long _bytesFromAgent;
    private long _bytesToAgent;
    private volatile bool _heldBack;

    public AgentLink(WebSocket socket, MachineInfo machine, string? version, AgentOptions options, TimeProvider time, MachineService machines, ILogger logger, Guid? adHocSessionId = null)
    {
        AdHocSessionId = adHocSessionId;
        if (adHocSessionId is { } only)
        {
            // An ad-hoc agent knows its one session from the start (hello's machine_id is its id).
            _namedSessions.TryAdd(only);
        }

        _socket = socket;
        Machine = machine;
        Version = version;
        _options = options;
        _time = time;
        _machines = machines;
        _logger = logger;
        ConnectedAt = time.GetUtcNow();
        _lastHeard = ConnectedAt.ToUnixTimeMilliseconds();

        // The sender is held until hello is out (RunAsync releases it): the link is in the directory before then, and a
        // consent or open sent first would reach the agent before hello, which the protocol forbids.
        _send.Wait(0);
        _lastRecorded = _lastHeard;
    }

    /// <summary>The completion reason of a stream whose session the person at the machine ended (the agent's <c>end</c>).</summary>
    public const string EndedAtMachine = "ended at the machine";

    /// <summary>This connection's id (a machine that reconnects gets a new one).</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>
    /// For an ad-hoc agent (bound with a support code): the one support session it serves. Null for an enrolled machine.
    /// An ad-hoc link's <see cref="Machine"/> is a stand-in with no row behind it (its id is the support session's).
    /// </summary>
    public Guid? AdHocSessionId { get; }

    /// <summary>True when this link may serve <paramref name="session"/>: an ad-hoc link its one session, a machine's link the sessions of its machine.</summary>
    public bool Serves(Keyward.Core.Support.SupportSession session) => AdHocSessionId is { } only
        ? session.Id == only && session.MachineId is null
        : session.MachineId == Machine.Id;

    /// <summary>The streams open now (for the relay's bounds and the tests).</summary>
    internal ICollection<AgentStream> Streams => _streams.Values;

    /// <summary>The machine, as its key says (nothing the agent claims).</summary>
    public MachineInfo Machine { get; }

    /// <summary>The client address it connected from (audited when another connection replaces it).</summary>
    public string? Address { get; init; }

    /// <summary>The version the agent reported on connect (informational only).</summary>
    public string? Version { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>True once the link is closing or closed: it takes no new requests.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Completes when the link has ended.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Why the link ended, once it has: the close code sent or received.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>The close reason sent or received.</summary>
    public string? CloseReason { get; private set; }

    public long BytesFromAgent => Interlocked.Read(ref _bytesFromAgent);

    public long BytesToAgent => Interlocked.Read(ref _bytesToAgent);

    /// <summary>Streams open now.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>
    /// Raised when the person at the machine ends a support session (the agent's <c>end</c>), with its id: once per
    /// session, and only for a session this link named to its agent (an <c>end</c> naming any other closes with 1008).
    /// </summary>
    public event Action<Guid>? SessionEndedByAgent;

    /// <summary>
    /// Asks the person at the machine (<c>consent</c>) and waits for the answer: <see cref="ConsentAnswer.Accepted"/> or
    /// <see cref="ConsentAnswer.Denied"/>; <see cref="ConsentAnswer.TimedOut"/> after the timeout (on the
    /// <see cref="TimeProvider"/>); <see cref="ConsentAnswer.Gone"/> when the agent leaves or the session is ended first.
    /// </summary>
    public async Task<ConsentAnswer> AskConsentAsync(ConsentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsClosing)
        {
            return ConsentAnswer.Gone;
        }

        var id = Guid.NewGuid();
        var timeout = request.Timeout ?? ConsentRequest.DefaultTimeout;
        var pending = new PendingConsent(request.SupportSessionId);
        _namedSessions.TryAdd(request.SupportSessionId);
        _consents[id] = pending;
        try
        {
            var sent = await SendMessageAsync(w =>
            {
                w.WriteString("type", "consent");
                w.WriteString("request", id);
                w.WriteString("session", request.SupportSessionId);
                w.WriteString("technician", request.Technician);
                w.WriteString("reason", request.Reason);
                w.WriteNumber("timeout_seconds", (int)Math.Ceiling(timeout.TotalSeconds));
            }).ConfigureAwait(false);
            if (!sent)
            {
                return ConsentAnswer.Gone;
            }

            return await pending.Answer.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return ConsentAnswer.TimedOut;
        }
        finally
        {
            _consents.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Opens a stream for a support session (<c>open</c>) and waits for the agent's answer: the stream, or the refusal
    /// (<see cref="KeywardErrors.AgentPortNotAllowed"/>, <see cref="KeywardErrors.AgentStreamFailed"/>,
    /// <see cref="KeywardErrors.AgentStreamLimit"/>, <see cref="KeywardErrors.AgentOffline"/>). Refusals carry no audit
    /// action: the caller records them under its own.
    /// </summary>
    public async Task<Outcome<AgentStream>> OpenStreamAsync(Guid supportSessionId, StreamTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (IsClosing)
        {
            return new Refusal(KeywardErrors.AgentOffline, AuditAction: null);
        }

        if (_streams.Count >= _options.MaxStreamsPerAgent)
        {
            return new Refusal(KeywardErrors.AgentStreamLimit, AuditAction: null);
        }

        _namedSessions.TryAdd(supportSessionId);
        var stream = new AgentStream(this, (uint)Interlocked.Increment(ref _nextStream), supportSessionId, _options.StreamQueueBytes);
        _streams[stream.Id] = stream;
        var sent = await SendMessageAsync(w =>
        {
            w.WriteString("type", "open");
            w.WriteNumber("stream", stream.Id);
            w.WriteString("session", supportSessionId);
            switch (target)
            {
                case StreamTarget.Tcp tcp:
                    w.WriteString("kind", "tcp");
                    w.WriteNumber("port", tcp.Port);
                    break;
                case StreamTarget.Terminal terminal:
                    w.WriteString("kind", "terminal");
                    w.WriteNumber("cols", terminal.Cols);
                    w.WriteNumber("rows", terminal.Rows);
                    break;
            }
        }).ConfigureAwait(false);

        string? code;
        try
        {
            code = sent ? await stream.Opened.WaitAsync(cancellationToken).ConfigureAwait(false) : "gone";
        }
        catch (OperationCanceledException)
        {
            await stream.CloseAsync("cancelled").ConfigureAwait(false);
            throw;
        }

        if (code is null)
        {
            return stream;
        }

        stream.End(code);
        return new Refusal(
            IsClosing ? KeywardErrors.AgentOffline : code == AgentProtocol.PortNotAllowed ? KeywardErrors.AgentPortNotAllowed : KeywardErrors.AgentStreamFailed,
            AuditAction: null);
    }

    /// <summary>
    /// Ends a support session on the agent (<c>end</c>: it closes its streams and dismisses any prompt), and its streams
    /// and consent requests here. The agent is told once per session, however many parts of Keyward end it (the relay's
    /// <c>SupportSessionCloser</c> and the support sweeper both do).
    /// </summary>
    public void EndSession(Guid supportSessionId, string reason)
    {
        EndLocally(supportSessionId, reason, ConsentAnswer.Gone);
        if (!_endedSessions.TryAdd(supportSessionId))
        {
            return;
        }

        _ = SendMessageAsync(w =>
        {
            w.WriteString("type", "end");
            w.WriteString("session", supportSessionId);
            w.WriteString("reason", reason);
        });
    }

    /// <summary>The stream has ended: it is no longer routed.</summary>
    internal void Forget(AgentStream stream) => _streams.TryRemove(new KeyValuePair<uint, AgentStream>(stream.Id, stream));

    private void EndLocally(Guid supportSessionId, string reason, ConsentAnswer pendingAnswer)
    {
        foreach (var stream in _streams.Values.Where(s => s.SupportSessionId == supportSessionId))
        {
            stream.End(reason);
        }

        foreach (var consent in _consents.Values.Where(c => c.SupportSessionId == supportSessionId))
        {
            consent.Answer.TrySetResult(pendingAnswer);
        }
    }

    private sealed class PendingConsent(Guid supportSessionId)
    {
        public Guid SupportSessionId { get; } = supportSessionId;

        public TaskCompletionSource<ConsentAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
