namespace Keyward.Core.Tickets;

/// <summary>The outcome of redeeming a ticket: the ticket when this caller consumed it, otherwise why not.</summary>
/// <param name="Ticket">The consumed ticket.</param>
/// <param name="Failure">Why not.</param>
public readonly record struct TicketRedemption(WebSocketTicket? Ticket, TicketFailure? Failure)
{
    /// <summary>True when this caller consumed the ticket.</summary>
    public bool Succeeded => Ticket is not null;
}
