using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Keyward.EndToEnd.Tests.Broker;

/// <summary>
/// A stand-in for the counter service behind Keyward, on loopback: <c>POST /resource/counter</c> answers an
/// incrementing <c>{"value": N}</c>, <c>GET</c> a small HTML page. Both refuse (401) a request without the
/// <c>Keyward-Assertion</c> header, so a request that did not come through Keyward's proxy never counts.
/// </summary>
internal sealed class CounterUpstream : IAsyncDisposable
{
    public const string AssertionHeader = "Keyward-Assertion";

    private readonly WebApplication _app;
    private int _value;
    private int _refused;

    private CounterUpstream(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:port.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>How many POSTs were counted.</summary>
    public int Value => Volatile.Read(ref _value);

    /// <summary>How many requests arrived without an assertion.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static async Task<CounterUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new CounterUpstream(app);
        app.MapPost("/resource/counter", (HttpContext context) => upstream.Guard(context)
            ?? Results.Json(new Dictionary<string, int> { ["value"] = Interlocked.Increment(ref upstream._value) }));
        app.MapGet("/resource/counter", (HttpContext context) => upstream.Guard(context)
            ?? Results.Content($"<!doctype html><title>Counter</title><p id=\"counter-page\">Counter is at {upstream.Value}.</p>", "text/html; charset=utf-8"));
        await app.StartAsync();
        upstream.Address = $"http://127.0.0.1:{new Uri(app.Urls.Single()).Port}";
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private IResult? Guard(HttpContext context)
    {
        if (!string.IsNullOrEmpty(context.Request.Headers[AssertionHeader]))
        {
            return null;
        }

        Interlocked.Increment(ref _refused);
        return Results.Problem(statusCode: 401, detail: "No Keyward-Assertion header.", extensions: new Dictionary<string, object?> { ["code"] = "assertion_missing" });
    }
}
