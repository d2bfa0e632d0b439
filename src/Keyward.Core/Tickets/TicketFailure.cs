namespace Keyward.Core.Tickets;

/// <summary>Why a WebSocket ticket was refused. Each has a stable code (<see cref="TicketFailures.Code"/>).</summary>
public enum TicketFailure
{
    /// <summary>Malformed, tampered, or unknown.</summary>
    Invalid = 1,
    /// <summary>Past its lifetime.</summary>
    Expired,
    /// <summary>Already used: a ticket opens one socket.</summary>
    Consumed,
}
