using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// The baseline: a minimal YARP host with no authentication, built like Keyward's host (slim builder, Kestrel on
/// loopback with TLS, warnings-only logging, one in-memory route) so that the difference is Keyward's own work.
/// </summary>
internal static class PlainProxy
{
    public const string RouteId = "counter";

    public static WebApplication Build(int port, X509Certificate2 certificate, string upstream, string caFile, X509Certificate2Collection? chain = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--Logging:LogLevel:Default=Warning"],
            ApplicationName = typeof(PlainProxy).Assembly.GetName().Name,
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, endpoint => endpoint.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate, ServerCertificateChain = chain }));
        });

        var route = new RouteConfig { RouteId = RouteId, ClusterId = RouteId, Match = new RouteMatch { Path = "/resource/{**rest}" } };
        var cluster = new ClusterConfig
        {
            ClusterId = RouteId,
            Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["upstream"] = new() { Address = upstream } },
        };
        builder.Services.AddSingleton<IForwarderHttpClientFactory>(new TrustingForwarderFactory(caFile));
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);

        var app = builder.Build();
        app.MapReverseProxy();
        return app;
    }
}
