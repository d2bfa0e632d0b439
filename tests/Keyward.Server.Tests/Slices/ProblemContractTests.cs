using System.Net;
using System.Text.Json;
using Keyward.AspNetCore;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// The broker and Keyward.AspNetCore (which depends on nothing of ours) write problem+json the same way: a contract
/// held by this test, not by shared code.
/// </summary>
public sealed class ProblemContractTests
{
    [Fact]
    public async Task ProblemType_BrokerAndServicePackage_UseOneScheme()
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        var broker = await ProblemAsync(await keyward.App.GetTestClient().PostAsync(new Uri("/session/status", UriKind.Relative), null));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(KeywardAssertionDefaults.AuthenticationScheme).AddKeywardAssertion(o =>
        {
            o.Authority = "https://keyward.test";
            o.Audience = "svc";
        });
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(
            new AuthorizationPolicyBuilder(KeywardAssertionDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        await using var service = builder.Build();
        service.UseAuthentication();
        service.UseAuthorization();
        service.MapGet("/", () => "x");
        await service.StartAsync();
        var package = await ProblemAsync(await service.GetTestClient().GetAsync(new Uri("/", UriKind.Relative)));

        Assert.Equal((Problems.TypePrefix + "session_missing", "session_missing", 401), broker);
        Assert.Equal((Problems.TypePrefix + "assertion_missing", "assertion_missing", 401), package);
        await service.StopAsync();
        await keyward.App.StopAsync();
    }

    private static async Task<(string? Type, string? Code, int Status)> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        return (root.GetProperty("type").GetString(), root.GetProperty("code").GetString(), root.GetProperty("status").GetInt32());
    }
}
