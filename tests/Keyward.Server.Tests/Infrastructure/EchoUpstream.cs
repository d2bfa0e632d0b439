using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// A real upstream on a loopback port (Kestrel, plain HTTP): answers every request with the method, path, query and
/// request headers it received, as JSON, so tests can see exactly what the proxy forwarded. Each query parameter
/// <c>set-cookie</c> becomes a <c>Set-Cookie</c> header on the answer, and <c>hsts</c> a <c>Strict-Transport-Security</c>
/// header, so tests can see what reaches the client; a <c>status</c> parameter makes it answer that status with an empty
/// body instead.
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requestCount;

    private EchoUpstream()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(EchoAsync);
    }

    /// <summary>The base address, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>How many requests reached the upstream.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    public static async Task<EchoUpstream> StartAsync()
    {
        var upstream = new EchoUpstream();
        await upstream._app.StartAsync();
        var addresses = upstream._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        upstream.Address = new Uri(addresses.Addresses.Single());
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Task EchoAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requestCount);
        foreach (var cookie in context.Request.Query["set-cookie"])
        {
            context.Response.Headers.Append("Set-Cookie", cookie);
        }

        foreach (var hsts in context.Request.Query["hsts"])
        {
            context.Response.Headers.StrictTransportSecurity = hsts;
        }

        if (int.TryParse(context.Request.Query["status"], out var status))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        return context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["upstream"] = "echo",
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value ?? string.Empty,
            ["query"] = context.Request.QueryString.Value ?? string.Empty,
            ["headers"] = headers,
        });
    }
}
