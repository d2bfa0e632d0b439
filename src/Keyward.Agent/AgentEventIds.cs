namespace Keyward.Agent;

/// <summary>
/// The agent's log event ids: 5500–5599, inside the 5000s that STYLE.md gives agents (the server's agent slice keeps
/// 5000–5499). 5500s enrollment, 5510s connection, 5530s consent, 5540s streams.
/// </summary>
internal static class AgentEventIds
{
    public const int Enrolling = 5500;
    public const int Enrolled = 5501;
    public const int EnrollRefused = 5502;
    public const int TlsRefused = 5503;

    public const int Connecting = 5510;
    public const int Connected = 5511;
    public const int Disconnected = 5512;
    public const int Reconnecting = 5513;
    public const int KeyRevoked = 5514;
    public const int ConnectFailed = 5515;
    public const int FrameTooLarge = 5516;
    public const int ProtocolViolation = 5517;
    public const int Replaced = 5519;

    public const int ConsentAsked = 5530;
    public const int ConsentAnswered = 5531;
    public const int ConsentTimedOut = 5532;

    public const int StreamOpened = 5540;
    public const int StreamRefused = 5541;
    public const int StreamClosed = 5542;
    public const int ResizeIgnored = 5543;
}
