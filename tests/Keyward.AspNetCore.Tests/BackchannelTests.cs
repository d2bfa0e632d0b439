using System.Net;

namespace Keyward.AspNetCore.Tests;

/// <summary>The HTTP client that fetches the JWKS: no redirects, a bounded buffer, the configured timeout, a user agent.</summary>
public sealed class BackchannelTests
{
    [Fact]
    public void CreateHandler_FollowsNoRedirectsAndRecyclesConnections()
    {
        using var handler = Backchannel.CreateHandler(trustedRoot: null);

        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(TimeSpan.FromMinutes(5), handler.PooledConnectionLifetime);
        Assert.Null(handler.SslOptions.CertificateChainPolicy);
    }

    [Fact]
    public void Create_UsesTheConfiguredTimeoutABoundedBufferAndItsUserAgent()
    {
        using var http = Backchannel.Create(new KeywardAssertionOptions { BackchannelTimeout = TimeSpan.FromSeconds(7) });

        Assert.Equal(TimeSpan.FromSeconds(7), http.Timeout);
        Assert.Equal(1024 * 1024, http.MaxResponseContentBufferSize);
        Assert.Equal("Keyward.AspNetCore", http.DefaultRequestHeaders.UserAgent.ToString());
    }

    [Fact]
    public async Task Create_WithBackchannelHttpHandler_SendsThroughThatHandler()
    {
        var handler = new RecordingHandler();
        using var http = Backchannel.Create(new KeywardAssertionOptions { BackchannelHttpHandler = handler });

        using var response = await http.GetAsync(new Uri("https://keyward.example/.well-known/keyward/jwks.json"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public void Create_WithBackchannel_ReturnsThatClient()
    {
        using var own = new HttpClient();

        Assert.Same(own, Backchannel.Create(new KeywardAssertionOptions { Backchannel = own }));
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        }
    }
}
