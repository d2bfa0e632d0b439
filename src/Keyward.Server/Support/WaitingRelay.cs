using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Support;

/// <summary>
/// The relay until the agent plane lands: tells the viewer <c>{"type":"status","state":"waiting_agent"}</c> and holds
/// the socket, carrying nothing, until the viewer leaves or Keyward closes it (the support session ended or was reaped,
/// the login session ended). Whatever the viewer sends is read and dropped; a message over
/// <see cref="SupportOptions.MaxViewerMessageBytes"/> closes the socket with 1009, so a viewer never grows memory.
/// </summary>
internal sealed class WaitingRelay(IOptions<SupportOptions> options) : ISupportRelay
{
    /// <summary>The status frame a viewer receives while no agent is relayed.</summary>
    public const string WaitingAgent = "{\"type\":\"status\",\"state\":\"waiting_agent\"}";

    public async Task<string> RunAsync(ViewerConnection viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        await viewer.SendTextAsync(WaitingAgent, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        var max = options.Value.MaxViewerMessageBytes;
        var size = 0;
        while (true)
        {
            if (await viewer.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false) is not { } received || received.MessageType == WebSocketMessageType.Close)
            {
                return viewer.ClosedBy ?? "viewer_left";
            }

            size += received.Count;
            if (size > max)
            {
                await viewer.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", "message_too_big").ConfigureAwait(false);
                return "message_too_big";
            }
            else if (received.EndOfMessage)
            {
                size = 0;
            }
        }
    }
}
