namespace Keyward.Core.Tickets;

/// <summary>Codes and messages for <see cref="TicketFailure"/>.</summary>
public static class TicketFailures
{
    /// <summary>The stable code.</summary>
    public static string Code(TicketFailure failure) => failure switch
    {
        TicketFailure.Expired => "ticket_expired",
        TicketFailure.Consumed => "ticket_consumed",
        _ => "ticket_invalid",
    };

    /// <summary>The plain message.</summary>
    public static string Message(TicketFailure failure) => failure switch
    {
        TicketFailure.Expired => "The WebSocket ticket expired. Ask for a new one (POST /api/auth/ws-ticket) right before opening the socket.",
        TicketFailure.Consumed => "The WebSocket ticket was already used; a ticket opens one socket. Ask for a new one.",
        _ => "The WebSocket ticket is malformed or unknown.",
    };
}
