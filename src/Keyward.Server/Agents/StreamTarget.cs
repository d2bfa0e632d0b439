namespace Keyward.Server.Agents;

/// <summary>What a stream connects to on the machine (<see cref="AgentLink.OpenStreamAsync"/>).</summary>
internal abstract record StreamTarget
{
    private StreamTarget()
    {
    }

    /// <summary>A TCP connection to <paramref name="Port"/> on the machine's loopback (the agent's allow-list decides).</summary>
    internal sealed record Tcp(int Port) : StreamTarget;

    /// <summary>A terminal of <paramref name="Cols"/> by <paramref name="Rows"/>.</summary>
    internal sealed record Terminal(int Cols, int Rows) : StreamTarget;
}
