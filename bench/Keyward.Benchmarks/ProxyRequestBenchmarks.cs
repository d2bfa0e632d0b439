using System.Net;
using BenchmarkDotNet.Attributes;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Server.Assertions;
using Keyward.Server.Proxy;
using Keyward.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Keyward.Benchmarks;

/// <summary>
/// One proxied request's own cost, without sockets, TLS or a load generator (issue 15, "Speed"): the same GET through
/// Keyward with a session (host gate, security headers, session check from the cache, the route's policy, header strip,
/// cached assertion attach, YARP's forwarding) and through plain YARP (forwarding only), both in process on a
/// TestServer, both forwarding to the same in-memory upstream (an <see cref="HttpMessageHandler"/> that answers 200 with
/// a small JSON body). The difference is Keyward's own per-request work; the Ratio column is what to read. Each
/// operation also checks the answer was a 200, so a refusal cannot pass for a fast request.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 12)]
public class ProxyRequestBenchmarks
{
    private const string Route = "trivial";
    private KeywardTestHost _keyward = null!;
    private WebApplication _plain = null!;
    private TestServer _keywardServer = null!;
    private TestServer _plainServer = null!;
    private string _authorization = null!;
    private string _token = null!;
    private SessionService _sessions = null!;
    private AssertionIssuer _issuer = null!;
    private SessionInfo _session = null!;
    private IHeaderDictionary _headers = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Settings = new Dictionary<string, string>
            {
                [$"Keyward:Routes:{Route}:Path"] = "/resource/{**rest}",
                [$"Keyward:Routes:{Route}:Upstream"] = "https://upstream.test",
            },
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning),
            Services = services => services.AddSingleton<IForwarderHttpClientFactory, InMemoryUpstream>(),
        });
        using (var client = _keyward.CreateClient())
        {
            await client.RegisterAdminAsync(_keyward.SetupCode!);
            _token = (await client.LoginAsync()).Token;
            _authorization = "Bearer " + _token;
        }

        _sessions = _keyward.GetRequiredService<SessionService>();
        _issuer = _keyward.GetRequiredService<AssertionIssuer>();
        _session = (await _sessions.CheckAsync(_token)).Session!;
        var sample = new DefaultHttpContext();
        Prepare(sample, _authorization);
        _headers = sample.Request.Headers;

        _keywardServer = _keyward.App.GetTestServer();
        _plain = PlainYarp();
        await _plain.StartAsync();
        _plainServer = _plain.GetTestServer();

        // Both paths must answer 200, and Keyward must refuse a request without the session.
        await Keyward();
        await PlainYarpRequest();
        var refused = await _keywardServer.SendAsync(c => Prepare(c, authorization: null));
        if (refused.Response.StatusCode != StatusCodes.Status401Unauthorized)
        {
            throw new InvalidOperationException($"Keyward answered {refused.Response.StatusCode} without a session, not 401.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _keyward.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "plain YARP")]
    public Task PlainYarpRequest() => SendAsync(_plainServer);

    [Benchmark(Description = "Keyward with a session")]
    public Task Keyward() => SendAsync(_keywardServer);

    // The pieces of Keyward's own work, each alone.

    [Benchmark(Description = "token form + hash")]
    public byte[] TokenHash() => SecretToken.IsWellFormed(CredentialKind.Session, _token) ? SecretToken.Hash(CredentialKind.Session, _token) : [];

    [Benchmark(Description = "session check (cache hit)")]
    public bool SessionCheck() => _sessions.CheckAsync(_token).AsTask().GetAwaiter().GetResult().IsValid;

    [Benchmark(Description = "assertion (cache hit)")]
    public string Assertion() => _issuer.Issue(_session, Route);

    [Benchmark(Description = "header denylist walk")]
    public int HeaderStrip()
    {
        var stripped = 0;
        foreach (var header in _headers)
        {
            if (HeaderDenylist.Default.Matches(header.Key))
            {
                stripped++;
            }
        }

        return stripped;
    }

    private async Task SendAsync(TestServer server)
    {
        var context = await server.SendAsync(c => Prepare(c, _authorization));
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException($"The proxy answered {context.Response.StatusCode}.");
        }
    }

    private static void Prepare(HttpContext context, string? authorization)
    {
        var request = context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "https";
        request.Host = new HostString("localhost");
        request.Path = "/resource/hello";
        request.Headers.Accept = "application/json";
        request.Headers.UserAgent = "keyward-bench";
        if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }
    }

    // The baseline, built like Keyward's host (slim builder, warnings-only logging, one in-memory route).
    private static WebApplication PlainYarp()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--Logging:LogLevel:Default=Warning"] });
        builder.WebHost.UseTestServer();
        var route = new RouteConfig { RouteId = Route, ClusterId = Route, Match = new RouteMatch { Path = "/resource/{**rest}" } };
        var cluster = new ClusterConfig
        {
            ClusterId = Route,
            Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["upstream"] = new() { Address = "https://upstream.test" } },
        };
        builder.Services.AddSingleton<IForwarderHttpClientFactory, InMemoryUpstream>();
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);
        var app = builder.Build();
        app.MapReverseProxy();
        return app;
    }

    /// <summary>The upstream: answers every request 200 <c>{"value":1}</c> in memory.</summary>
    private sealed class InMemoryUpstream : IForwarderHttpClientFactory
    {
        public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context) => new(new Answer(), disposeHandler: true);

        private sealed class Answer : HttpMessageHandler
        {
            private static readonly byte[] Body = "{\"value\":1}"u8.ToArray();

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var content = new ByteArrayContent(Body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, Version = request.Version });
            }
        }
    }
}
