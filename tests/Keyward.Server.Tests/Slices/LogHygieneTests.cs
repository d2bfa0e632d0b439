using System.Collections.Concurrent;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Nothing a request carries in its query string reaches a log line at the default level (Information and up), from
/// Keyward or from a library: YARP used to log "Proxying to http://…/reset?token=UPSTREAM-SECRET-12345".
/// </summary>
public sealed class LogHygieneTests
{
    private const string Secret = "UPSTREAM-SECRET-12345";

    [Fact]
    public async Task Requests_WithSecretsInTheirQueryStrings_LeaveNoTraceInTheLogAtInformation()
    {
        await using var echo = await EchoUpstream.StartAsync();
        var lines = new ConcurrentQueue<string>();
        await using var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["Keyward:Routes:echo:Path"] = "/echo/{**rest}",
                ["Keyward:Routes:echo:Upstream"] = echo.Address.ToString(),
                ["Keyward:Routes:app:Host"] = "app.localhost",
                ["Keyward:Routes:app:Upstream"] = echo.Address.ToString(),
            },
            Logging = logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(new CapturingProvider(lines)),
        });
        using var client = host.CreateClient();
        await client.RegisterAdminAsync(host.SetupCode!);
        var admin = await client.LoginAsync("admin");

        Assert.Equal(200, (await client.ProxyAsync($"/echo/reset?token={Secret}", admin.Token)).StatusCode);
        Assert.Equal(401, (await client.ProxyAsync($"/echo/reset?token={Secret}", null)).StatusCode);
        Assert.Equal(404, (await client.GetAsync($"/nowhere?token={Secret}")).StatusCode);
        Assert.Equal(401, (await client.PostAsync($"/session/status?token={Secret}")).StatusCode);

        // A redirect whose address carries the query: the handoff, not signed in, sends the browser to sign in first
        // with the app page (and its ?token=) in ?return=. ASP.NET Core's RedirectResult logs the address at Information.
        var handoff = await client.GetAsync($"/.keyward/handoff?host=app.localhost&challenge={new string('A', 43)}&return={Uri.EscapeDataString($"/reset?token={Secret}")}");
        Assert.Equal(302, handoff.StatusCode);

        // The capture works: the proxied request itself was logged by someone at Information or above.
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, line => line.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(admin.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedRequests_WriteNothingAtInformation_SoAFloodCannotGrowTheLog()
    {
        var lines = new ConcurrentQueue<string>();
        await using var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Logging = logging => logging.SetMinimumLevel(LogLevel.Information).AddProvider(new CapturingProvider(lines)),
        });
        using var client = host.CreateClient();
        await client.RegisterAdminAsync(host.SetupCode!);
        var admin = await client.LoginAsync("admin");
        lines.Clear();

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(401, (await client.PostAsync("/session/status")).StatusCode);
            Assert.Equal(401, (await client.GetAsync("/api/keys", token: "kws_" + new string('0', 43))).StatusCode);
        }

        Assert.True(lines.IsEmpty, "refused requests were logged at Information:\n" + string.Join('\n', lines.Take(6)));
        Assert.Equal(200, (await client.StatusAsync(admin.Token)).StatusCode);
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // The message and every structured value, as any sink (JSON logs included) would write them.
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
            }
        }
    }
}
