using System.Net.Http.Json;
using Keyward.AspNetCore;
using Keyward.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Keyward.Samples.Counter.Tests;

/// <summary>The counter in process (Production environment), on a real SQLite file, trusting a fake Keyward over https.</summary>
public sealed class CounterApp : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory;
    private readonly string _issuer;
    private readonly string _caFile;
    private HttpClient? _client;

    public CounterApp(string dataDirectory, string issuer, string caFile)
    {
        _dataDirectory = dataDirectory;
        _issuer = issuer;
        _caFile = caFile;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // No file watchers: the tests start many hosts, and inotify instances are a per-user limit.
        builder.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Counter:DataDirectory"] = _dataDirectory,
            ["Counter:Authority"] = _issuer,
            ["Counter:CaFile"] = _caFile,
        }));
    }

    /// <summary>One client, created (and the host started) on first use; WebApplicationFactory's start is not thread-safe.</summary>
    public HttpClient Client => _client ??= CreateClient();

    public async Task<HttpResponseMessage> PostAsync(string? assertion)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/resource/counter");
        if (assertion is not null)
        {
            request.Headers.Add(KeywardAssertionDefaults.HeaderName, assertion);
        }

        return await Client.SendAsync(request);
    }

    public async Task<long> IncrementAsync(string assertion)
    {
        var response = await PostAsync(assertion);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, long>>();
        return body!["value"];
    }

    public override async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        await base.DisposeAsync();
        // Close pooled handles so the next instance (or the cleanup) sees the file released.
        SqliteConnection.ClearAllPools();
    }
}
