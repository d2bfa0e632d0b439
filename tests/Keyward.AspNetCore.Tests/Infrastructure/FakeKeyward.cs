using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.AspNetCore.Tests.Infrastructure;

/// <summary>
/// Stands in for Keyward's issuer: a real Kestrel on 127.0.0.1 (http, or https with a test CA) serving a JWKS
/// that the test controls, counting every fetch.
/// </summary>
public sealed class FakeKeyward : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string _jwks = """{"keys":[]}""";
    private int _fetches;

    private FakeKeyward(WebApplication app) => _app = app;

    public string Issuer { get; private set; } = "";

    public int FetchCount => Volatile.Read(ref _fetches);

    /// <summary>Delays each JWKS response, so concurrent requests overlap one fetch.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>When set, the JWKS endpoint answers this status instead.</summary>
    public int? FailWithStatus { get; set; }

    /// <summary>With <see cref="FailWithStatus"/>, a body to send with the failure status.</summary>
    public string? FailureBody { get; set; }

    /// <summary>The Accept header of the last JWKS request.</summary>
    public string? LastAccept { get; private set; }

    /// <summary>When true, the JWKS response carries a Content-Length header; otherwise it is chunked.</summary>
    public bool SendContentLength { get; set; }

    /// <summary>When set, the JWKS endpoint answers 302 with this location instead.</summary>
    public Uri? RedirectTo { get; set; }

    public static async Task<FakeKeyward> StartAsync(X509Certificate2? serverCertificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (serverCertificate is not null)
            {
                listen.UseHttps(serverCertificate);
            }
        }));

        var app = builder.Build();
        var fake = new FakeKeyward(app);
        app.MapGet("/.well-known/keyward/jwks.json", async (HttpContext context) =>
        {
            Interlocked.Increment(ref fake._fetches);
            fake.LastAccept = context.Request.Headers.Accept.ToString();
            if (fake.ResponseDelay > TimeSpan.Zero)
            {
                await Task.Delay(fake.ResponseDelay);
            }

            if (fake.RedirectTo is { } location)
            {
                context.Response.Redirect(location.AbsoluteUri);
                return;
            }

            if (fake.FailWithStatus is { } status)
            {
                context.Response.StatusCode = status;
                if (fake.FailureBody is { } failureBody)
                {
                    await context.Response.WriteAsync(failureBody);
                }

                return;
            }

            context.Response.ContentType = "application/json";
            var body = System.Text.Encoding.UTF8.GetBytes(fake._jwks);
            if (fake.SendContentLength)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        // Kestrel reports the bound address; keep the literal 127.0.0.1 form that Keyward uses as its issuer.
        fake.Issuer = new Uri(address).GetLeftPart(UriPartial.Authority);
        return fake;
    }

    public void Publish(params TestSigningKey[] keys) =>
        PublishRaw(new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)k.ToJwk())]) }.ToJsonString());

    public void PublishRaw(string json) => _jwks = json;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
