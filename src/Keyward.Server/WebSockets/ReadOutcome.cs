namespace Keyward.Server.WebSockets;

/// <summary>What reading one message from a leg produced.</summary>
internal enum ReadOutcome
{
    Message,
    Closed,
    TooBig,
}
