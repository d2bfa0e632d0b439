using System.Text.Json;
using Keyward.Core.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>GET /api/audit/events' outcome filter (the console's audit viewer filters by it), bounded like the others.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task AuditEvents_OutcomeFilter_KeepsOnlyThatOutcomeAndIsBounded()
    {
        var (_, client, admin) = await StartWithAdminAsync();
        var (_, assertion) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.NewGuid(), assertion), 400, "ceremony_invalid");

        var denied = Outcomes((await client.GetAsync("/api/audit/events?outcome=denied", admin.Token)).Json);
        var success = Outcomes((await client.GetAsync("/api/audit/events?outcome=success", admin.Token)).Json);
        var all = Outcomes((await client.GetAsync("/api/audit/events", admin.Token)).Json);

        Assert.NotEmpty(denied);
        Assert.All(denied, o => Assert.Equal(AuditOutcomes.Denied, o));
        Assert.NotEmpty(success);
        Assert.All(success, o => Assert.Equal(AuditOutcomes.Success, o));
        Assert.Equal(all.Count, denied.Count + success.Count);
        Assert.Empty(Outcomes((await client.GetAsync("/api/audit/events?outcome=nothing-like-it", admin.Token)).Json));
        ProblemAssert.Problem(await client.GetAsync($"/api/audit/events?outcome={new string('x', 65)}", admin.Token), 400, "audit_query_invalid");
    }

    private static List<string> Outcomes(JsonElement json) =>
        [.. json.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("outcome").GetString()!)];
}
