using Keyward.Core.Audit;
using Keyward.Server.Hosting;
using Keyward.Testing.Hosting;
using Keyward.WebSockets.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Keyward.WebSockets.Tests;

/// <summary>
/// The entry point of this assembly when a test starts it as a separate process (<c>dotnet
/// Keyward.WebSockets.Tests.dll keyward --Keyward:…</c>): Keyward exactly as <c>Keyward.Server</c>'s Program runs
/// it (<see cref="KeywardHost.Build"/>), with an in-memory audit log so the test does not depend on the log's
/// storage. The test runner never calls it.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["keyward", .. var rest])
        {
            Console.Error.WriteLine("usage: Keyward.WebSockets.Tests keyward --Keyward:…");
            return 2;
        }

        var app = KeywardHost.Build(rest, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Host.UseServiceProviderFactory(new OverridingServiceProviderFactory(services => services.AddSingleton<IAuditLog>(new RecordingAuditLog())));
        });
        await app.RunAsync();
        return 0;
    }
}
