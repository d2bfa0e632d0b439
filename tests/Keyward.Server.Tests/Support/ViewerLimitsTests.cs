using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Support;

/// <summary>The caps on viewer sockets (issue 11, item 6): per support session and per account, refused before the upgrade.</summary>
public sealed class ViewerLimitsTests : IAsyncLifetime
{
    private SupportHost _keyward = null!;

    public async Task InitializeAsync() => _keyward = await SupportHost.StartAsync(new Dictionary<string, string>
    {
        ["Keyward:Support:MaxViewersPerSession"] = "1",
        ["Keyward:Support:MaxSocketsPerAccount"] = "2",
    });

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    [Fact]
    public async Task SecondViewerOfASession_Is429ViewerLimit_UntilTheFirstLeaves()
    {
        var session = await _keyward.OpenIdAsync(_keyward.Admin);
        var first = await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));

        var refused = await _keyward.ProbeViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));
        ProblemAssert.Problem(refused, 429, "viewer_limit");
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());

        await first.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        await WaitUntilAsync(async () =>
        {
            // Each try spends its token (a refused token is spent), so each gets a fresh one.
            var probe = await _keyward.ProbeViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session));
            Assert.True(probe.StatusCode == 101 || probe.Code == "viewer_limit", $"{probe.StatusCode} {probe.Code}");
            return probe.StatusCode == 101;
        });
    }

    [Fact]
    public async Task ThirdViewerOfAnAccount_Is429ViewerLimit()
    {
        var sockets = new List<System.Net.WebSockets.ClientWebSocket>();
        for (var i = 0; i < 2; i++)
        {
            var session = await _keyward.OpenIdAsync(_keyward.Admin);
            sockets.Add(await _keyward.OpenViewerAsync(session, await _keyward.JoinTokenAsync(_keyward.Admin, session)));
        }

        var third = await _keyward.OpenIdAsync(_keyward.Admin);
        ProblemAssert.Problem(await _keyward.ProbeViewerAsync(third, await _keyward.JoinTokenAsync(_keyward.Admin, third)), 429, "viewer_limit");
        sockets.ForEach(s => s.Abort());
    }

    // The place is given back when the server side of the socket ends, shortly after the client's close.
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the viewer's place was not given back");
    }
}
