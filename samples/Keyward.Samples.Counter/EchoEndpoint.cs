using System.Net.WebSockets;

namespace Keyward.Samples.Counter;

/// <summary>
/// <c>/resource/echo</c>: a WebSocket that sends every text or binary message back. Like the counter it trusts only
/// Keyward's assertion, here presented on the upgrade, for its own route id (<c>Counter:EchoAudience</c>, default
/// <c>echo</c>): Keyward terminates the browser's socket and opens this one with the assertion.
/// </summary>
internal static class EchoEndpoint
{
    public const string Scheme = "KeywardEcho";
    public const string Policy = "KeywardEchoUser";
    public const string DefaultAudience = "echo";

    private const int MaxMessageBytes = 1024 * 1024;

    public static void Map(WebApplication app) =>
        app.Map("/resource/echo", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "This endpoint is a WebSocket.");
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await EchoAsync(socket);
            return Results.Empty;
        }).RequireAuthorization(Policy);

    private static async Task EchoAsync(WebSocket socket)
    {
        var buffer = new byte[MaxMessageBytes];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None);
                        return;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, CancellationToken.None);
                        return;
                    }

                    count += result.Count;
                }
                while (!result.EndOfMessage);

                await socket.SendAsync(buffer.AsMemory(0, count), result.MessageType, true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The other side went away without a close handshake.
        }
    }
}
