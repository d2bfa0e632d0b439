using System.Net;
using System.Net.WebSockets;
using System.Text;
using Keyward.Cli.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Cli.Tests.Support;

/// <summary>
/// The viewer's side of the viewer socket contract (docs/remote-support.md, "The viewer socket"), against an in-test
/// relay that speaks it: the join token as Bearer, status frames before <c>active</c> shown and the local side not read
/// before it, bytes both ways after it, the <c>ended</c> reason, and refused upgrades told by status.
/// </summary>
public sealed class ViewerSocketTests : IAsyncLifetime
{
    private const string Join = "kwj_test-join-token";
    private WebApplication? _app;
    private readonly List<string> _seen = [];

    private Uri Base => new(_app!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/viewer/v1/sessions/{id}", async (HttpContext context, string id) =>
        {
            lock (_seen)
            {
                _seen.Add($"{context.Request.Headers.Authorization} {context.Request.QueryString}");
            }

            if (id == "other")
            {
                context.Response.StatusCode = 403;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await Text(socket, "{\"type\":\"status\",\"state\":\"waiting_consent\"}");

            if (id == "deny")
            {
                await Text(socket, "{\"type\":\"ended\",\"reason\":\"consent_denied\"}");
                await socket.CloseAsync((WebSocketCloseStatus)4403, "consent denied", CancellationToken.None);
                return;
            }

            await Text(socket, "{\"type\":\"status\",\"state\":\"active\"}");
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Binary && buffer[0] == 4)
                {
                    // The shell saw end of input and exited: the machine side closes.
                    await Text(socket, "{\"type\":\"ended\",\"reason\":\"stream_closed\"}");
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "stream closed", CancellationToken.None);
                    return;
                }

                var echo = Encoding.UTF8.GetBytes("echo:" + Encoding.UTF8.GetString(buffer, 0, received.Count));
                await socket.SendAsync(echo, WebSocketMessageType.Binary, true, CancellationToken.None);
            }
        });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Run_WaitsThroughConsent_ThenPipesBothWays_AndEndsOnTheMachinesClose()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        await using var socket = await ViewerSocket.ConnectAsync(Target("s1", "kind=terminal&cols=80&rows=24"), Join, invoker, CancellationToken.None);
        var states = new List<string>();
        var received = new StringBuilder();
        var inputs = new Queue<string>(["hello", string.Empty]);
        var end = await socket.RunAsync(
            (data, _) =>
            {
                received.Append(Encoding.UTF8.GetString(data.Span));
                return ValueTask.CompletedTask;
            },
            async (buffer, c) =>
            {
                // The next input only once the previous one came back, as a person types.
                while (inputs.Count == 1 && !received.ToString().Contains("echo:hello", StringComparison.Ordinal))
                {
                    await Task.Delay(10, c);
                }

                var next = Encoding.UTF8.GetBytes(inputs.Dequeue());
                next.CopyTo(buffer);
                return next.Length;
            },
            states.Add,
            onLocalEnd: new byte[] { 4 },
            onActive: null,
            CancellationToken.None);

        Assert.Equal(["waiting_consent"], states);
        Assert.Equal("echo:hello", received.ToString());
        Assert.True(end.Normal);
        Assert.Equal("stream_closed", end.Reason);
        Assert.Equal(1000, end.Code);
        Assert.Equal($"Bearer {Join} ?kind=terminal&cols=80&rows=24", Assert.Single(_seen));
    }

    [Fact]
    public async Task Run_ConsentDenied_EndsWithItsReasonAndCode_AndReadsNothingLocal()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        await using var socket = await ViewerSocket.ConnectAsync(Target("deny", "kind=tcp&port=22"), Join, invoker, CancellationToken.None);
        var reads = 0;
        var end = await socket.RunAsync(
            (_, _) => ValueTask.CompletedTask,
            (_, _) =>
            {
                Interlocked.Increment(ref reads);
                return ValueTask.FromResult(0);
            },
            _ => { },
            onLocalEnd: null,
            onActive: null,
            CancellationToken.None);

        Assert.False(end.Normal);
        Assert.Equal(4403, end.Code);
        Assert.Equal("consent_denied", end.Reason);
        Assert.Contains("refused", end.Describe(), StringComparison.Ordinal);
        Assert.Equal(0, reads);
    }

    [Fact]
    public async Task Connect_RefusedWith403_SaysJoinWrongSession_WithoutTheToken()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ViewerSocket.ConnectAsync(Target("other", "kind=tcp&port=22"), Join, invoker, CancellationToken.None));

        Assert.Contains("403 join_wrong_session", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Join, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2222:22", true)]
    [InlineData("1:65535", true)]
    [InlineData("0:22", false)]
    [InlineData("2222:65536", false)]
    [InlineData("2222", false)]
    [InlineData("a:22", false)]
    [InlineData("2222:22:1", false)]
    [InlineData("-1:22", false)]
    public void TryPorts_AcceptsOnlyTwoTcpPorts(string value, bool valid) =>
        Assert.Equal(valid, ViewerCommands.TryPorts(value, out _, out _));

    private static Task Text(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private Uri Target(string session, string query) =>
        new UriBuilder(new Uri(Base, $"/viewer/v1/sessions/{session}")) { Scheme = "ws", Query = query }.Uri;
}
