using Keyward.Core.Sessions;

namespace Keyward.Server.WebSockets;

/// <summary>Who a relayed socket was opened for, and how.</summary>
/// <param name="RouteId">The route.</param>
/// <param name="Session">The session it was opened under; null for the internal credential.</param>
/// <param name="Via"><c>ticket</c>, <c>cookie</c> or <c>internal</c>.</param>
/// <param name="ClientAddress">The client's address.</param>
internal sealed record RelayIdentity(string RouteId, SessionInfo? Session, string Via, string? ClientAddress)
{
    /// <summary>The audit actor: the account name, or <c>system</c> for the internal credential.</summary>
    public string Actor => Session?.AccountName ?? "system";
}
