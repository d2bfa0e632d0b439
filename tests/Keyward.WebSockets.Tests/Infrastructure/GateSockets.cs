using System.Net.WebSockets;

namespace Keyward.WebSockets.Tests.Infrastructure;

/// <summary>Opening sockets to the <see cref="TestRoutes"/> with tickets, as a page would.</summary>
internal static class GateSockets
{
    /// <summary>Opens a socket to <paramref name="route"/> with a ticket, as a page at <paramref name="origin"/> would.</summary>
    public static async Task<ClientWebSocket> OpenAsync(this KeywardTestClient api, string route, string ticket, string? origin = "", string rest = "/x", string? query = null)
    {
        var (socket, status) = await api.TryOpenAsync($"{TestRoutes.PathOf(route)}{rest}?{(query is null ? string.Empty : query + "&")}ticket={Uri.EscapeDataString(ticket)}", origin);
        return socket ?? throw new InvalidOperationException($"the upgrade was refused with {status}");
    }

    /// <summary>Opens a socket with a fresh session-bound ticket.</summary>
    public static async Task<ClientWebSocket> OpenAsync(this KeywardTestClient api, TestSession session, string route = TestRoutes.Echo) =>
        await api.OpenAsync(route, await api.TicketAsync(session, route));
}
