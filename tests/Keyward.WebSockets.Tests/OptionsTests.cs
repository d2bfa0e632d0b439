using Keyward.Server.Proxy;
using Keyward.Server.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.WebSockets.Tests;

/// <summary>The pure parts: settings validation, the upstream address, the rate bucket, close reasons.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void RouteOptions_Defaults_AreOffAndBounded()
    {
        var route = new RouteWebSocketOptions();
        Assert.False(route.Enabled);
        Assert.False(route.AllowSessionCookie);
        Assert.Equal((65536, 4 * 1024 * 1024, 50, 64, TimeSpan.FromHours(8)), (route.MaxClientMessageBytes, route.MaxUpstreamMessageBytes, route.MaxMessagesPerSecond, route.SendQueueCapacity, route.MaxLifetime));
        Assert.Empty(route.Validate("r", isInternal: false));
        Assert.Equal(["https://keyward.example"], route.EffectiveOrigins("https://keyward.example/"));
    }

    [Fact]
    public void RouteOptions_InternalWithoutWebSocket_IsRefused()
    {
        var options = new ProxyOptions { Routes = { ["r"] = new RouteOptions { Path = "/r", Upstream = "http://127.0.0.1:1", Internal = true } } };
        Assert.Contains(options.Validate(), e => e.Contains("Internal only applies to WebSocket upgrades", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("app.example.com")]
    [InlineData("https://app.example.com/path")]
    [InlineData("ftp://app.example.com")]
    [InlineData("https://app.example.com/?q=1")]
    public void RouteOptions_AllowedOriginThatIsNotAnOrigin_IsRefused(string origin)
    {
        var route = new RouteWebSocketOptions { Enabled = true, AllowedOrigins = [origin] };
        Assert.Contains(route.Validate("r", false), e => e.Contains("AllowedOrigins", StringComparison.Ordinal));
    }

    [Fact]
    public void RouteOptions_LimitsOutOfRange_AreEachRefused()
    {
        var route = new RouteWebSocketOptions { Enabled = true, MaxClientMessageBytes = 0, MaxUpstreamMessageBytes = int.MaxValue, MaxMessagesPerSecond = 0, SendQueueCapacity = 0, MaxLifetime = TimeSpan.Zero };
        Assert.Equal(5, route.Validate("r", false).Count);
    }

    [Fact]
    public void GateOptions_SweepSlowerThanASecond_IsRefused()
    {
        Assert.Empty(new WebSocketGateOptions().Validate());
        Assert.Contains(new WebSocketGateOptions { SweepInterval = TimeSpan.FromSeconds(2) }.Validate(), e => e.Contains("SweepInterval", StringComparison.Ordinal));
        Assert.Contains(new WebSocketGateOptions { TicketLifetime = TimeSpan.FromHours(1) }.Validate(), e => e.Contains("TicketLifetime", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://10.0.0.5:8080", "/ws/x", "?a=1&ticket=kwt_x&b=2", "ws://10.0.0.5:8080/ws/x?a=1&b=2")]
    [InlineData("https://svc.internal/base/", "/ws/x", "?TICKET=kwt_x", "wss://svc.internal/base/ws/x")]
    [InlineData("http://127.0.0.1:9", "/ws/a%20b", "", "ws://127.0.0.1:9/ws/a%20b")]
    public void UpstreamUri_MapsSchemeKeepsPathAndDropsTheTicket(string upstream, string path, string query, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = PathString.FromUriComponent(path);
        context.Request.QueryString = new QueryString(query);
        Assert.Equal(expected, UpstreamConnector.UpstreamUri(upstream, context.Request).AbsoluteUri);
    }

    [Fact]
    public void RateLimiter_AllowsTheBurstThenRefillsWithTime()
    {
        var time = new FakeTimeProvider();
        var limiter = new InboundRateLimiter(10, time);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.False(limiter.TryAcquire());
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
    }

    [Fact]
    public void InternalCredential_RefusesEverythingBeforeMinting_ThenOnlyItself()
    {
        var credential = new InternalCredential();
        Assert.False(credential.Verify(Keyward.Core.Credentials.SecretToken.Generate(Keyward.Core.Credentials.CredentialKind.Internal)));
        Assert.False(credential.Verify(null));
        var value = credential.GetOrMint();
        Assert.Equal(value, credential.GetOrMint());
        Assert.True(credential.Verify(value));
        Assert.False(credential.Verify(value[..^1] + (value[^1] == 'a' ? 'b' : 'a')));
        Assert.DoesNotContain(value, credential.ToString(), StringComparison.Ordinal);
    }
}
