namespace Keyward.Agent;

/// <summary>The names and limits of protocol <c>keyward-agent.v1</c> (docs/remote-support.md, "The agent socket").</summary>
internal static class AgentProtocolHeaders
{
    public const string SubProtocol = "keyward-agent.v1";

    public const string ConnectPath = "agent/v1/connect";

    public const string Version = "Keyward-Agent-Version";

    public const int MaxTextFrame = 16 * 1024;

    public const int MaxBinaryFrame = 64 * 1024;

    public const int StreamIdLength = 4;

    public const int MaxPayload = MaxBinaryFrame - StreamIdLength;

    /// <summary>Close code: the key was revoked or the machine deleted.</summary>
    public const int CloseRevoked = 4401;

    /// <summary>The close code Keyward sends when another connection with this agent's key replaced this one.</summary>
    public const int CloseReplaced = 4409;

    public static string AgentVersion { get; } = typeof(AgentProtocolHeaders).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
