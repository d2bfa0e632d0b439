using Keyward.Server.Hosting;
using Keyward.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Keyward built exactly as <c>keyward serve</c> builds it (<see cref="KeywardHost.Build(string[], string?, Action{WebApplicationBuilder}?)"/>),
/// on a TestServer in a temporary data directory, for tests of its composition: options, precedence, policies.
/// </summary>
internal sealed class HostedKeyward : IAsyncDisposable
{
    private readonly TempDirectory _data = new("keyward-slices-");

    private HostedKeyward(string[] settings, string? configFile)
    {
        App = KeywardHost.Build(
            [$"--Keyward:DataDirectory={_data.Path}", "--hostBuilder:reloadConfigOnChange=false", .. settings],
            configFile,
            builder =>
            {
                builder.WebHost.UseTestServer();
                builder.Logging.ClearProviders();
            });
    }

    public WebApplication App { get; }

    public string DataDirectory => _data.Path;

    /// <summary>Builds the broker; it is not started.</summary>
    public static HostedKeyward Build(string[] settings, string? configFile = null) => new(settings, configFile);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _data.Dispose();
    }
}
