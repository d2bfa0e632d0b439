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
        Assert.Equal((65536, 4 * 1024 * 1024, 50, (int?)null, TimeSpan.FromHours(8)), (route.MaxClientMessageBytes, route.MaxUpstreamMessageBytes, route.MaxMessagesPerSecond, route.SendQueueCapacity, route.MaxLifetime));
        Assert.Empty(route.Validate("r", isInternal: false));
        Assert.Equal(["https://keyward.example"], route.EffectiveOrigins("https://keyward.example/"));
        Assert.Equal(["https://keyward.example"], route.EffectiveOrigins("https://Keyward.Example:443"));
        Assert.Equal(["https://app.example.com", "http://app.example.com:8080"], new RouteWebSocketOptions { AllowedOrigins = ["HTTPS://App.Example.com:443/", "http://app.example.com:8080"] }.EffectiveOrigins("https://keyward.example"));
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
    [InlineData("https://user@app.example.com")]
    [InlineData("https://*.example.com")]
    [InlineData("https://app.example.com/.")]
    public void RouteOptions_AllowedOriginThatIsNotAnOrigin_IsRefused(string origin)
    {
        var route = new RouteWebSocketOptions { Enabled = true, AllowedOrigins = [origin] };
        Assert.Contains(route.Validate("r", false), e => e.Contains("AllowedOrigins", StringComparison.Ordinal));
    }

    [Fact]
    public void RouteOptions_LimitsOutOfRange_AreEachRefused()
    {
        var route = new RouteWebSocketOptions { Enabled = true, MaxClientMessageBytes = 0, MaxUpstreamMessageBytes = int.MaxValue, MaxMessagesPerSecond = 0, SendQueueCapacity = 64, MaxLifetime = TimeSpan.Zero };
        Assert.Equal(5, route.Validate("r", false).Count);
        Assert.Contains(route.Validate("r", false), e => e.Contains("SendQueueCapacity is retired", StringComparison.Ordinal));
    }

    [Fact]
    public void GateOptions_Defaults_BoundQueuesAndSockets()
    {
        var gate = new WebSocketGateOptions();
        Assert.Equal((1024 * 1024, 16, 10_000), (gate.MaxQueuedBytes, gate.MaxSocketsPerSession, gate.MaxSockets));
        Assert.Empty(gate.Validate());
    }

    [Theory]
    [InlineData(1024, 16, 10_000, "MaxQueuedBytes must be between")]
    [InlineData(128 * 1024 * 1024, 16, 10_000, "MaxQueuedBytes must be between")]
    [InlineData(1024 * 1024, 0, 10_000, "MaxSocketsPerSession must be between")]
    [InlineData(1024 * 1024, 16, 0, "MaxSockets must be between")]
    [InlineData(1024 * 1024, 32, 16, "MaxSockets (16) must be at least MaxSocketsPerSession (32)")]
    public void GateOptions_BoundsOutOfRange_AreRefusedNamingTheSetting(int queued, int perSession, int total, string expected)
    {
        var gate = new WebSocketGateOptions { MaxQueuedBytes = queued, MaxSocketsPerSession = perSession, MaxSockets = total };
        Assert.Contains(gate.Validate(), e => e.Contains(expected, StringComparison.Ordinal) && e.Contains("Keyward:WebSockets:", StringComparison.Ordinal));
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
