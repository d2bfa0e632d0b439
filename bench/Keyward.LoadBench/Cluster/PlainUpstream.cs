using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.LoadBench.Cluster;

/// <summary>The proxied route's upstream: plain HTTP on a loopback port, answers every request 200 with a tiny body.</summary>
internal sealed class PlainUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PlainUpstream()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(context => context.Response.WriteAsync("ok"));
    }

    public Uri Address { get; private set; } = null!;

    public static async Task<PlainUpstream> StartAsync()
    {
        var upstream = new PlainUpstream();
        await upstream._app.StartAsync();
        upstream.Address = new Uri(upstream._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
