using System.Diagnostics.Metrics;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// Issue 16, item 7: refusals of requests without a valid credential are counted per client address and interval (one
/// event with the count), so a flood cannot grow the audit log without bound; refusals of real credentials stay one each.
/// </summary>
public abstract partial class BrokerTests
{
    private const string Garbage = "kws_thisIsNotATokenKeywardEverIssued00000000000";

    [Fact]
    public async Task UnauthenticatedFlood_GarbageBearerFromOneAddress_IsOneCountedEventPerInterval()
    {
        var (host, client, _) = await StartWithAdminAsync();
        var before = (await AllEventsAsync(host)).Count;

        // The flood: 4,000 garbage bearer requests, on Keyward's API and on a proxied path route.
        await FloodAsync(4_000, i => i % 2 == 0
            ? client.SendAsync(HttpMethod.Post, "/session/status", token: Garbage, configure: TestClientAddress.From("203.0.113.9"))
            : client.ProxyAsync("/echo/x", Garbage + i, TestClientAddress.From("203.0.113.9")), 401, "session_invalid");

        Assert.Equal(before, (await AllEventsAsync(host)).Count);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var counted = Assert.Single(await CountedAsync(host, 1));
        Assert.Equal(("anonymous", AuditOutcomes.Denied, "203.0.113.9", "203.0.113.9"), (counted.Actor, counted.Outcome, counted.ClientAddress, counted.Target));
        Assert.Equal("4000", counted.Details["count"]);
        Assert.Equal("session_invalid=4000", counted.Details["codes"]);
        Assert.Equal($"{AuditActions.AccessDenied} /session/status=2000;{AuditActions.ProxyDenied} echo=2000", counted.Details["targets"]);
        Assert.Equal(before + 1, (await AllEventsAsync(host)).Count);

        // The next interval: a new count, one more event.
        await FloodAsync(10, _ => client.GetAsync("/session/list", token: Garbage, configure: TestClientAddress.From("203.0.113.9")), 401, "session_invalid");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var second = (await CountedAsync(host, 2))[1];
        Assert.Equal(("10", "session_invalid=10"), (second.Details["count"], second.Details["codes"]));
        Assert.Equal(before + 2, (await AllEventsAsync(host)).Count);
    }

    [Fact]
    public async Task UnauthenticatedFlood_FromSeveralAddresses_IsOneEventPerAddressWithIPv6GroupedBy64()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        string[] addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "::ffff:198.51.100.3", "2001:db8:1:3::1"];
        await FloodAsync(500, i => client.ProxyAsync("/echo/x", Garbage, TestClientAddress.From(addresses[i % addresses.Length])), 401, "session_invalid");

        // One client with a /64 cannot make a count per address.
        await FloodAsync(300, i => client.ProxyAsync("/echo/x", Garbage, TestClientAddress.From($"2001:db8:1:2::{i + 1:x}")), 401, "session_invalid");
        await FloodAsync(3, _ => client.GetAsync($"https://{AppHost}/.keyward/callback?code=kwh_forged", configure: TestClientAddress.From("2001:db8:1:2:ffff:ffff:ffff:ffff")), 400, "handoff_code_invalid");

        host.Time.Advance(TimeSpan.FromMinutes(1));
        var counted = (await CountedAsync(host, 4)).ToDictionary(e => e.ClientAddress!, e => e.Details["count"]);
        Assert.Equal(new Dictionary<string, string>
        {
            ["198.51.100.1"] = "100",
            ["198.51.100.2"] = "100",
            ["198.51.100.3"] = "200",
            ["2001:db8:1:3::/64"] = "100",
            ["2001:db8:1:2::/64"] = "303",
        }, counted);
        Assert.Equal(5, (await AllEventsAsync(host)).Count(e => e.Action == AuditActions.UnauthenticatedRefusals));
        Assert.DoesNotContain(await AllEventsAsync(host), e => e.Action is AuditActions.ProxyDenied or AuditActions.AccessDenied or AuditActions.HandoffRefused);
    }

    [Fact]
    public async Task UnauthenticatedFlood_BeyondTheAddressLimit_SharesOneOverflowEvent()
    {
        var host = await StartHostAsync(s => s["Keyward:Audit:UnauthenticatedMaxAddresses"] = "3");
        var client = ClientOf(host);
        await FloodAsync(40, i => client.ProxyAsync("/echo/x", Garbage, TestClientAddress.From($"192.0.2.{(i % 10) + 1}")), 401, "session_invalid");

        Assert.Equal(3, host.GetService<RefusalCounter>().TrackedGroups);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var counted = await CountedAsync(host, 4);
        Assert.Equal(3, counted.Count(e => e.ClientAddress is not null && e.Details["count"] == "4"));
        var overflow = Assert.Single(counted, e => e.Target == RefusalCounter.OverflowTarget);
        Assert.Null(overflow.ClientAddress);
        Assert.Equal(("28", "session_invalid=28"), (overflow.Details["count"], overflow.Details["codes"]));
        Assert.Equal(0, host.GetService<RefusalCounter>().TrackedGroups);
    }

    [Fact]
    public async Task UnauthenticatedRefusals_OnStop_AreWrittenWithoutWaitingForTheInterval()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        await FloodAsync(7, _ => client.ProxyAsync("/echo/x", Garbage, TestClientAddress.From("198.51.100.7")), 401, "session_invalid");
        Assert.DoesNotContain(await AllEventsAsync(host), e => e.Action == AuditActions.UnauthenticatedRefusals);

        await host.App.StopAsync();

        var counted = Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.UnauthenticatedRefusals);
        Assert.Equal(("198.51.100.7", "7"), (counted.ClientAddress, counted.Details["count"]));
    }

    [Fact]
    public async Task UnauthenticatedRefusals_PathsWithSeparators_CannotForgeTheTargetsSample()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var forged = await client.GetAsync("/api/admin/accounts/bob=4000;proxy.denied%20admins", token: Garbage, configure: TestClientAddress.From("198.51.100.6"));
        Assert.Equal(401, forged.StatusCode);

        await host.GetService<RefusalCounter>().FlushAsync();

        var counted = Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.UnauthenticatedRefusals);
        Assert.Equal($"{AuditActions.AccessDenied} /api/admin/accounts/bob%3D4000%3Bproxy.denied admins=1", counted.Details["targets"]);
    }

    [Fact]
    public async Task UnauthenticatedRefusals_DuringAnAuditOutage_AreKeptAndWrittenAfter()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        host.Audit.Failing = true;
        await FloodAsync(5, _ => client.ProxyAsync("/echo/x", Garbage, TestClientAddress.From("198.51.100.8")), 401, "session_invalid");
        await host.GetService<RefusalCounter>().FlushAsync();
        host.Audit.Failing = false;
        await FloodAsync(2, _ => client.ProxyAsync("/echo/x", "kws_" + new string('x', 40), TestClientAddress.From("198.51.100.8")), 401, "session_invalid");

        host.Time.Advance(TimeSpan.FromMinutes(1));
        var counted = Assert.Single(await CountedAsync(host, 1));
        Assert.Equal(("7", "session_invalid=7"), (counted.Details["count"], counted.Details["codes"]));
    }

    [Fact]
    public async Task RealCredentialRefusals_RevokedSessionOrWrongRole_StayOneEventEach()
    {
        var broker = await StartWithAdminAsync();
        var (host, client, admin) = broker;
        var (bob, _) = await AddUserAsync(broker, "bob");
        var spent = await client.LoginAsync("admin");
        ProblemAssert.Ok(await client.LogoutAsync(spent.Token));

        await FloodAsync(5, _ => client.ProxyAsync("/echo/x", spent.Token, TestClientAddress.From("198.51.100.9")), 401, "session_logged_out");
        await FloodAsync(3, _ => client.ProxyAsync("/admins/x", bob.Token, TestClientAddress.From("198.51.100.9")), 403, "role_required");

        // Written at once, one each, with the refused session's account where there is one.
        var events = await AllEventsAsync(host);
        Assert.Equal(5, events.Count(e => e.Action == AuditActions.ProxyDenied && e.Details["code"] == "session_logged_out" && e.ClientAddress == "198.51.100.9"));
        Assert.Equal(3, events.Count(e => e.Action == AuditActions.ProxyDenied && e.Details["code"] == "role_required" && e.Actor == "bob"));
        await host.GetService<RefusalCounter>().FlushAsync();
        Assert.DoesNotContain(await AllEventsAsync(host), e => e.Action == AuditActions.UnauthenticatedRefusals);
        ProblemAssert.Ok(await client.StatusAsync(admin.Token));
    }

    [Fact]
    public async Task UnauthenticatedRefusals_AreMeteredByCodeOnly()
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);
        var seen = new List<(long Value, KeyValuePair<string, object?>[] Tags)>();
        using var listener = ListenToUnauthenticatedRefusals(host, (value, tags) =>
        {
            lock (seen)
            {
                seen.Add((value, tags));
            }
        });

        await FloodAsync(3, _ => client.ProxyAsync("/echo/x", Garbage, TestClientAddress.From("198.51.100.10")), 401, "session_invalid");

        Assert.Equal(3, seen.Count);
        Assert.All(seen, m => Assert.Equal([new KeyValuePair<string, object?>("code", "session_invalid")], m.Tags));
    }

    [Fact]
    public async Task NoCredentialRequests_AreMeteredButNeverAudited_AndStillRateLimited()
    {
        var host = await StartHostAsync(s => s["Keyward:SignIn:PerAddressPerMinute"] = "5");
        var client = ClientOf(host);
        var metered = 0L;
        using var listener = ListenToUnauthenticatedRefusals(host, (value, tags) =>
        {
            if (tags.Contains(new KeyValuePair<string, object?>("code", "session_missing")))
            {
                Interlocked.Add(ref metered, value);
            }
        });
        var before = (await AllEventsAsync(host)).Count;

        // The sign-in page's status probe and a browser before sign-in, on Keyward's API and a proxied route.
        await FloodAsync(40, i => i % 2 == 0
            ? client.SendAsync(HttpMethod.Post, "/session/status", configure: TestClientAddress.From("198.51.100.11"))
            : client.ProxyAsync("/echo/x", null, TestClientAddress.From("198.51.100.11")), 401, "session_missing");
        await host.GetService<RefusalCounter>().FlushAsync();
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.GetService<RefusalCounter>().FlushAsync();

        Assert.Equal(40, Interlocked.Read(ref metered));
        Assert.Equal(before, (await AllEventsAsync(host)).Count);
        Assert.Equal(0, host.GetService<RefusalCounter>().TrackedGroups);

        // An anonymous flood of sign-in attempts is still limited per address (5 a minute here).
        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await client.SendAsync(HttpMethod.Post, "/session/login/begin", body: new System.Text.Json.Nodes.JsonObject { ["username"] = "admin" }, configure: TestClientAddress.From("198.51.100.11"))).StatusCode);
        }

        Assert.Equal([200, 200, 200, 200, 200, 429], statuses);
    }

    [Theory]
    [InlineData("authorization")]
    [InlineData("cookie")]
    [InlineData("ticket")]
    public async Task SessionMissing_WithSomethingCredentialLike_IsStillCounted(string carrying)
    {
        var host = await StartHostAsync();
        var client = ClientOf(host);

        // Refused session_missing (none of these is a session), but the request carried something: counted, not only metered.
        var response = await client.SendAsync(HttpMethod.Get, carrying == "ticket" ? "/session/list?ticket=kwt_x" : "/session/list", configure: r =>
        {
            TestClientAddress.From("198.51.100.12")(r);
            if (carrying == "authorization")
            {
                r.Headers.Authorization = new("Basic", "YWRtaW46YWRtaW4=");
            }
            else if (carrying == "cookie")
            {
                r.Headers.Add("Cookie", "Keyward-Other=1");
            }
        });
        ProblemAssert.Problem(response, 401, "session_missing");
        await host.GetService<RefusalCounter>().FlushAsync();

        var counted = Assert.Single(await AllEventsAsync(host), e => e.Action == AuditActions.UnauthenticatedRefusals);
        Assert.Equal(("198.51.100.12", "session_missing=1"), (counted.ClientAddress, counted.Details["codes"]));
    }

    // Listens to this host's keyward.refusals.unauthenticated measurements (not another test's host's).
    private static MeterListener ListenToUnauthenticatedRefusals(KeywardTestHost host, Action<long, KeyValuePair<string, object?>[]> measured)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "keyward.refusals.unauthenticated" && instrument.Meter.Scope == host.GetService<System.Diagnostics.Metrics.IMeterFactory>())
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => measured(value, tags.ToArray()));
        listener.Start();
        return listener;
    }

    // Sends count requests, a few at a time (real concurrency), and checks each was refused with the code.
    private static async Task FloodAsync(int count, Func<int, Task<Keyward.Client.KeywardResponse>> send, int status, string code)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                ProblemAssert.Problem(await send(i), status, code);
            }
        }));
    }

    // The counted events, once the interval's flush (started by the fake clock) has written the expected number.
    private static async Task<List<AuditEvent>> CountedAsync(KeywardTestHost host, int expected)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var counted = (await AllEventsAsync(host)).Where(e => e.Action == AuditActions.UnauthenticatedRefusals).ToList();
            if (counted.Count >= expected)
            {
                return counted;
            }

            await Task.Delay(20);
        }

        return (await AllEventsAsync(host)).Where(e => e.Action == AuditActions.UnauthenticatedRefusals).ToList();
    }
}
