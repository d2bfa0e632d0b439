using Keyward.Core.Support;
using Keyward.Server.Agents;

namespace Keyward.Server.Support;

/// <summary>What one viewer's relay did, for <c>relay.closed</c> and the support session's byte totals.</summary>
internal sealed class RelayRecord
{
    private long _toViewer;

    /// <summary>The support session, once found.</summary>
    public SupportSession? Session { get; set; }

    /// <summary>The stream, once opened.</summary>
    public AgentStream? Stream { get; set; }

    /// <summary>True once the session's agent was found (both sides were there).</summary>
    public bool AgentFound { get; set; }

    /// <summary>True once the stream was opened (and <c>relay.opened</c> recorded).</summary>
    public bool Opened { get; set; }

    /// <summary>Bytes the viewer received from the agent.</summary>
    public long BytesToViewer => Interlocked.Read(ref _toViewer);

    /// <summary>Bytes of the viewer's input handed to the agent.</summary>
    public long BytesToAgent => Stream?.BytesToAgent ?? 0;

    public void AddToViewer(int count) => Interlocked.Add(ref _toViewer, count);
}
