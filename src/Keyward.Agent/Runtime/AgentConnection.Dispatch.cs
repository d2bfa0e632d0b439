using System.Text.Json;

namespace Keyward.Agent.Runtime;

/// <summary>Keyward's text messages (docs/remote-support.md, "Keyward → agent"), one handler each.</summary>
internal sealed partial class AgentConnection
{
    /// <summary>Handles one text frame; returns a protocol violation to close with, or null.</summary>
    private async Task<string?> DispatchTextAsync(ReadOnlyMemory<byte> json, bool helloSeen, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return "a text frame that is not JSON";
        }

        using (document)
        {
            var message = document.RootElement;
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return "a message without a type";
            }

            var type = typeElement.GetString();
            if (!helloSeen)
            {
                return type == "hello" ? OnHello(message) : "a message before hello";
            }

            return type switch
            {
                "hello" => "a second hello",
                "consent" => OnConsent(message),
                "open" => await OnOpenAsync(message, cancellationToken).ConfigureAwait(false),
                "resize" => OnResize(message),
                "close" => await OnCloseAsync(message).ConfigureAwait(false),
                "end" => await OnEndAsync(message).ConfigureAwait(false),

                // Newer servers may add messages; an agent that does not know one ignores it.
                _ => null,
            };
        }
    }

    private string? OnHello(JsonElement message)
    {
        var seconds = message.TryGetProperty("heartbeat_seconds", out var h) && h.TryGetInt32(out var s) && s > 0 ? s : 30;
        var machine = message.TryGetProperty("machine_id", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : _state.MachineId;
        AgentLog.Connected(_logger, machine, seconds);
        _ = HeartbeatLoopAsync(TimeSpan.FromSeconds(seconds), _life.Token);
        return null;
    }

    private async Task HeartbeatLoopAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                await SendTextAsync(AgentMessages.Heartbeat(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // The connection ended.
        }
    }

    private static string? Text(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static uint? StreamId(JsonElement message) =>
        message.TryGetProperty("stream", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var id) && id > 0 ? id : null;
}
