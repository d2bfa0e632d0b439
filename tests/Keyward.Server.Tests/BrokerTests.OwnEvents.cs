using System.Text.Json;
using Keyward.Core.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>GET /api/account/events (issue 14 item 1): a person's own recent security events, never anyone else's.</summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task OwnEvents_SignedInUser_SeesWhatTheyDidAndWhatWasDoneToThemAndNothingElse()
    {
        var broker = await StartWithAdminAsync();
        var (_, client, admin) = broker;
        var (_, bobKey) = await AddUserAsync(broker, "bob");
        var (carol, _) = await AddUserAsync(broker, "carol");

        // Done to bob by an admin (actor admin, target bob), and done by carol to herself: only the first is bob's.
        await client.StepUpAsync(admin.Token, "admin");
        ProblemAssert.Ok(await client.PostAsync("/api/admin/accounts/bob/revoke-sessions", token: admin.Token));
        var carolEvents = Events((await client.GetAsync("/api/account/events?limit=100", carol.Token)).Json);
        ProblemAssert.Ok(await client.LogoutAsync(carol.Token));
        var bob = await client.LoginAsync("bob", bobKey);

        var answer = await client.GetAsync("/api/account/events?limit=100", bob.Token);
        ProblemAssert.Ok(answer);
        var events = Events(answer.Json);
        Assert.All(events, e => Assert.True(e.Actor == "bob" || e.Target == "bob", $"{e.Actor} {e.Action} {e.Target} is not bob's"));
        Assert.Contains(events, e => (e.Actor, e.Action) == ("bob", AuditActions.KeyRegistered));
        Assert.Contains(events, e => (e.Actor, e.Action) == ("bob", AuditActions.SignInSucceeded));
        Assert.Contains(events, e => (e.Actor, e.Action, e.Target) == ("admin", AuditActions.SessionsRevokedAll, "bob"));
        Assert.DoesNotContain(events, e => e.Actor == "carol" || e.Target == "carol");
        Assert.Equal(events.OrderBy(e => e.Sequence).Select(e => e.Sequence), events.Select(e => e.Sequence));

        // Carol sees her own, none of bob's; the admin's own list holds the revocation it made, not bob's sign-ins.
        Assert.Contains(carolEvents, e => (e.Actor, e.Action) == ("carol", AuditActions.SignInSucceeded));
        Assert.DoesNotContain(carolEvents, e => e.Actor == "bob" || e.Target == "bob" || e.Actor == "admin");
        var adminEvents = Events((await client.GetAsync("/api/account/events?limit=100", admin.Token)).Json);
        Assert.Contains(adminEvents, e => (e.Actor, e.Action, e.Target) == ("admin", AuditActions.SessionsRevokedAll, "bob"));
        Assert.DoesNotContain(adminEvents, e => e.Actor == "bob" || e.Actor == "carol");
    }

    [Fact]
    public async Task OwnEvents_Limit_IsBoundedAndKeepsTheNewest()
    {
        var broker = await StartWithAdminAsync();
        var (_, client, admin) = broker;
        ProblemAssert.Problem(await client.GetAsync("/api/account/events", token: null), 401, "session_missing");
        ProblemAssert.Problem(await client.GetAsync("/api/account/events?limit=0", admin.Token), 400, "audit_query_invalid");
        ProblemAssert.Problem(await client.GetAsync("/api/account/events?limit=101", admin.Token), 400, "audit_query_invalid");
        ProblemAssert.Problem(await client.GetAsync("/api/account/events?limit=-1", admin.Token), 400, "audit_query_invalid");

        var all = Events((await client.GetAsync("/api/account/events?limit=100", admin.Token)).Json);
        var two = Events((await client.GetAsync("/api/account/events?limit=2", admin.Token)).Json);
        Assert.True(all.Count > 2, $"{all.Count} events");
        Assert.Equal(all.TakeLast(2).Select(e => e.Sequence), two.Select(e => e.Sequence));
    }

    [Fact]
    public async Task OwnEvents_AccountNamedLikeAPseudoActor_DoesNotReadAnonymousRefusals()
    {
        var broker = await StartWithAdminAsync();
        var (_, client, _) = broker;

        // A refusal with no account behind it is written with actor "anonymous" and the caller's address.
        var (_, assertion) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.NewGuid(), assertion), 400, "ceremony_invalid");
        var (anonymous, _) = await AddUserAsync(broker, "anonymous");

        var events = Events((await client.GetAsync("/api/account/events?limit=100", anonymous.Token)).Json);
        Assert.DoesNotContain(events, e => e.Action == AuditActions.SignInFailed);
        Assert.All(events, e => Assert.Equal("anonymous", e.Target));
    }

    // Finding 3 of the console review (review14): agents and capability holders are written as actors "machine:<id>" and
    // "service:<id>", which are valid account names (ASCII punctuation is allowed). An account invited under such a name
    // read that machine's or service's events (its addresses, its support sessions) as its own.
    [Fact]
    public async Task OwnEvents_AccountNamedLikeAMachineOrServiceActor_DoesNotReadThatActorsEvents()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, _) = broker;
        var audit = host.GetService<IAuditLog>();
        foreach (var prefix in new[] { "machine:", "service:" })
        {
            var name = prefix + Guid.NewGuid().ToString();
            await audit.RecordAsync(new AuditRecord { Actor = name, Action = "agent.connected", Outcome = AuditOutcomes.Success, ClientAddress = "203.0.113.7" });
            var (account, _) = await AddUserAsync(broker, name);

            var events = Events((await client.GetAsync("/api/account/events?limit=100", account.Token)).Json);
            Assert.DoesNotContain(events, e => e.Action == "agent.connected");
            Assert.All(events, e => Assert.Equal(name, e.Target));
        }
    }

    private static List<(long Sequence, string Actor, string Action, string? Target)> Events(JsonElement json) =>
        [.. json.GetProperty("events").EnumerateArray().Select(e => (
            e.GetProperty("sequence").GetInt64(), e.GetProperty("actor").GetString()!, e.GetProperty("action").GetString()!,
            e.GetProperty("target").ValueKind == JsonValueKind.Null ? null : e.GetProperty("target").GetString()))];
}
