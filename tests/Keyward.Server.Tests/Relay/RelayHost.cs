using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Server.Tests.Agents;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// The agent plane's host (real machines table, raw test agents) with the support API and viewer sockets on top, for
/// the relay's end-to-end tests: a technician (the admin) opens a support session for an enrolled machine, mints a join
/// token, and opens a viewer socket asking for a stream.
/// </summary>
public class RelayHost : AgentHost
{
    /// <summary>A small budget and frame size, so the slow-viewer test fills the queue quickly.</summary>
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Keyward:Agents:EnrollPerAddressPerMinute"] = "10000",
        ["Keyward:Agents:StreamQueueBytes"] = "65536",
        ["Keyward:Agents:MaxFrameBytes"] = "16384",
        ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
        ["Keyward:Support:MaxSessionsPerAccount"] = "1000",

        // The raw test agents send no heartbeats, and the idle tests move the clock by minutes.
        ["Keyward:Agents:HeartbeatSeconds"] = "300",
    };

    /// <summary>Opens a support session (which must open) for <paramref name="machine"/> (null: ad hoc); its id and, ad hoc, its code.</summary>
    internal async Task<(Guid Id, string? Code)> OpenSessionAsync(TestSession technician, Guid? machine, bool attended = true)
    {
        var body = new JsonObject { ["reason"] = "printer jam", ["attended"] = attended };
        if (machine is { } id)
        {
            body["machine_id"] = id.ToString();
        }

        var opened = await Client.SendAsync(HttpMethod.Post, "/api/support/sessions", body, technician.Token);
        ProblemAssert.Ok(opened);
        return (opened.Json.GetProperty("id").GetGuid(), opened.Json.TryGetProperty("support_code", out var code) ? code.GetString() : null);
    }

    /// <summary>A join token for that session, minted by <paramref name="technician"/>.</summary>
    internal async Task<string> JoinTokenAsync(TestSession technician, Guid session)
    {
        var joined = await Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/join", new JsonObject(), technician.Token);
        ProblemAssert.Ok(joined);
        return joined.GetString("join_token");
    }

    /// <summary>Opens a viewer socket (which must open) asking for <paramref name="target"/>.</summary>
    internal async Task<TestViewer> OpenViewerAsync(TestSession technician, Guid session, string target = "kind=tcp&port=22")
    {
        var token = await JoinTokenAsync(technician, session);
        var (socket, status) = await Client.TryOpenAsync($"/viewer/v1/sessions/{session}?{target}&join={Uri.EscapeDataString(token)}", origin: null);
        Assert.Equal(101, status);
        return new TestViewer(socket!);
    }

    /// <summary>The support session's state, end reason and byte totals, read through the list of an admin (open) or the database (ended).</summary>
    internal async Task<Keyward.Core.Support.SupportSession> SessionAsync(Guid id) =>
        (await Host.GetRequiredService<Keyward.Core.Support.SupportSessionService>().FindAsync(id, null))!;

    /// <summary>Waits (bounded) until the session's expiry is exactly <paramref name="deadline"/> (the relay sets it after the viewer's stream closed).</summary>
    internal async Task<bool> IdleDeadlineAsync(Guid session, DateTimeOffset deadline)
    {
        // Bounded by the same patience as every other wait here (20 s of real time), not 500 polls: under a loaded
        // machine the viewer's close reached the relay after the old 10 s had run out.
        var patience = DateTime.UtcNow + TestAgent.Patience;
        while (DateTime.UtcNow < patience)
        {
            if ((await SessionAsync(session)).ExpiresAt == DateTimeOffset.FromUnixTimeMilliseconds(deadline.ToUnixTimeMilliseconds()))
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    /// <summary>Waits (bounded) until the session has ended; its end reason.</summary>
    internal async Task<string?> EndedReasonAsync(Guid id)
    {
        var deadline = DateTime.UtcNow + TestAgent.Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await SessionAsync(id) is { IsOpen: false } ended)
            {
                return ended.EndedReason;
            }

            await Task.Delay(20);
        }

        return null;
    }
}

/// <summary>A viewer socket as the CLI would hold it: status and ended text frames, binary stream bytes.</summary>
internal sealed class TestViewer(ClientWebSocket socket) : IDisposable
{
    private readonly Queue<byte[]> _binary = new();

    public ClientWebSocket Socket { get; } = socket;

    /// <summary>The next text frame (binary frames that come first are kept).</summary>
    public async Task<JsonObject> ReadJsonAsync()
    {
        while (true)
        {
            var (type, data) = await ReadAsync();
            Assert.NotEqual(WebSocketMessageType.Close, type);
            if (type == WebSocketMessageType.Text)
            {
                return JsonNode.Parse(data)!.AsObject();
            }

            _binary.Enqueue(data);
        }
    }

    /// <summary>The next status frame's state.</summary>
    public async Task<string?> ReadStatusAsync()
    {
        var status = await ReadJsonAsync();
        Assert.Equal("status", (string?)status["type"]);
        return (string?)status["state"];
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes of binary frames.</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        var all = new List<byte>();
        while (all.Count < count)
        {
            if (_binary.Count > 0)
            {
                all.AddRange(_binary.Dequeue());
                continue;
            }

            var (type, data) = await ReadAsync();
            Assert.Equal(WebSocketMessageType.Binary, type);
            all.AddRange(data);
        }

        return [.. all];
    }

    /// <summary>Reads until Keyward closes: the close status, and the reason of the <c>ended</c> frame before it (null if none). No binary frame may come first.</summary>
    public async Task<(int? Status, string? Ended, int BinaryFrames)> ReadCloseAsync()
    {
        string? ended = null;
        var binary = _binary.Count;
        try
        {
            while (true)
            {
                var (type, data) = await ReadAsync();
                if (type == WebSocketMessageType.Close)
                {
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return ((int?)Socket.CloseStatus, ended, binary);
                }

                if (type == WebSocketMessageType.Binary)
                {
                    binary++;
                }
                else if (JsonNode.Parse(data)!.AsObject() is { } message && (string?)message["type"] == "ended")
                {
                    ended = (string?)message["reason"];
                }
            }
        }
        catch (WebSocketException)
        {
            return ((int?)Socket.CloseStatus, ended, binary);
        }
    }

    public Task SendAsync(byte[] data) => Socket.SendAsync(data, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendTextAsync(string text) => Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public void Dispose() => Socket.Dispose();

    private async Task<(WebSocketMessageType Type, byte[] Data)> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TestAgent.Patience);
        var buffer = new byte[256 * 1024];
        var count = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(count), timeout.Token);
            count += result.Count;
            if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
            {
                return (result.MessageType, buffer[..count]);
            }
        }
    }
}
