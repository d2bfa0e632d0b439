using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.AspNetCore.Tests.Infrastructure;

/// <summary>A service behind Keyward, in memory (TestServer): <c>GET /whoami</c> requires the assertion scheme.</summary>
public sealed class ProtectedApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProtectedApp(WebApplication app, CapturedLogs logs)
    {
        _app = app;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds the app without starting it, for tests that expect the start to fail.</summary>
    public static WebApplication Build(string environment, FakeTimeProvider time, Action<KeywardAssertionOptions> configure, CapturedLogs? logs = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            // No file watchers: the tests start many hosts, and inotify instances are a per-user limit.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs ?? new CapturedLogs());
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAuthentication(KeywardAssertionDefaults.AuthenticationScheme).AddKeywardAssertion(configure);
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/whoami", (HttpContext context) => Results.Json(new
        {
            sub = context.User.FindFirst(KeywardAssertionClaimTypes.Subject)?.Value,
            name = context.User.Identity?.Name,
            sid = context.User.FindFirst(KeywardAssertionClaimTypes.SessionId)?.Value,
            amr = context.User.FindAll(KeywardAssertionClaimTypes.AuthenticationMethod).Select(c => c.Value).ToArray(),
            authenticationType = context.User.Identity?.AuthenticationType,
            keepsRawToken = (context.User.Identity as System.Security.Claims.ClaimsIdentity)?.BootstrapContext is not null,
        })).RequireAuthorization();
        app.MapGet("/admin", () => "admin").RequireAuthorization(policy => policy.RequireClaim(KeywardAssertionClaimTypes.AuthenticationMethod, "never-issued"));
        return app;
    }

    public static async Task<ProtectedApp> StartAsync(FakeKeyward keyward, FakeTimeProvider time, Action<KeywardAssertionOptions>? configure = null, string environment = "Development")
    {
        var logs = new CapturedLogs();
        var app = Build(environment, time, options =>
        {
            options.Authority = keyward.Issuer;
            options.Audience = "counter";
            options.DangerousAllowHttpAuthority = keyward.Issuer.StartsWith("http:", StringComparison.Ordinal);
            configure?.Invoke(options);
        }, logs);
        await app.StartAsync();
        return new ProtectedApp(app, logs);
    }

    public Task<HttpResponseMessage> GetWhoAmIAsync(params string[] assertions)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        foreach (var assertion in assertions)
        {
            request.Headers.TryAddWithoutValidation(KeywardAssertionDefaults.HeaderName, assertion);
        }

        return Client.SendAsync(request);
    }

    /// <summary>Asserts a problem+json refusal with the given status and code, and returns the raw body.</summary>
    public static async Task<string> AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("https://keyward.dev/problems/" + code, json.RootElement.GetProperty("type").GetString());
        Assert.Equal(Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status), json.RootElement.GetProperty("title").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("detail").GetString()));
        return body;
    }

    public static AuthenticationHeaderValue? Challenge(HttpResponseMessage response) => response.Headers.WwwAuthenticate.SingleOrDefault();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
