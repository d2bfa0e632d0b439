namespace Keyward.Core.Tickets;

/// <summary>What a redeemed ticket was bound to. Never holds the ticket itself.</summary>
/// <param name="Id">The ticket's row id.</param>
/// <param name="AccountId">The account that asked for it.</param>
/// <param name="SessionId">The session it was issued under.</param>
/// <param name="RouteId">The only route it opens.</param>
/// <param name="Origin">The Origin of the request that asked for it; the upgrade must come from the same.</param>
/// <param name="ExpiresAt">Its expiry.</param>
public sealed record WebSocketTicket(Guid Id, Guid AccountId, Guid SessionId, string RouteId, string? Origin, DateTimeOffset ExpiresAt);
