using System.Net;
using System.Text.Json.Nodes;
using Keyward.Core.Credentials;
using Keyward.Server.Http;
using Keyward.Server.Limits;
using Keyward.Server.Support;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// Issue 13, item 4: the limits that bound guessing hold across every node on one PostgreSQL, so two nodes give an
/// attacker no more guesses than one. Each scenario spreads its attempts over two nodes, one after another, and expects
/// the single-node bound; each would fail if the count were per node (the attempts on either node alone stay under the
/// limit). PostgreSQL only, like the other two-node scenarios (<see cref="PostgresBrokerTests"/>).
/// </summary>
public abstract partial class BrokerTests
{
    /// <summary>Two nodes on this test's database, at the same instant, with the same settings.</summary>
    private async Task<(KeywardTestHost A, KeywardTestHost B)> StartTwoNodesAsync(Action<Dictionary<string, string>> configure)
    {
        var nodeA = await StartHostAsync(configure);
        var nodeB = await StartHostAsync(configure, now: nodeA.Time.GetUtcNow());
        return (nodeA, nodeB);
    }

    protected async Task TwoNodesSetupCodeGuessesShareOneBucketAndOneFirstCheckPerAddressAsync()
    {
        var (nodeA, nodeB) = await StartTwoNodesAsync(s => s["Keyward:SignIn:SetupCodeFailuresPerMinute"] = "4");
        KeywardTestClient[] clients = [ClientOf(nodeA), ClientOf(nodeB)];
        async Task<(int, string?)> GuessAsync(int node, string address)
        {
            var answer = await clients[node].SendAsync(
                HttpMethod.Post, "/api/register/begin", new JsonObject { ["setup_code"] = HumanCode.Generate(), ["username"] = "admin" }, configure: TestClientAddress.From(address));
            return (answer.StatusCode, answer.Code);
        }

        // Eight guesses from one address, alternating nodes: the cluster's bucket of four is checked, then both nodes
        // refuse unchecked. Per node, all eight would have been checked (four on each).
        var answers = new List<(int, string?)>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await GuessAsync(i % 2, "198.51.100.1"));
        }

        Assert.Equal([.. Enumerable.Repeat((401, (string?)"setup_code_invalid"), 4), .. Enumerable.Repeat((429, (string?)"rate_limited"), 4)], answers);

        // A new address's first check past the empty bucket is made once for the cluster, not once per node.
        Assert.Equal((401, "setup_code_invalid"), await GuessAsync(0, "203.0.113.7"));
        Assert.Equal((429, "rate_limited"), await GuessAsync(1, "203.0.113.7"));
    }

    protected async Task TwoNodesSupportCodeGuessesShareThePerAddressWindowAndTheBucketAsync()
    {
        var (nodeA, nodeB) = await StartTwoNodesAsync(s =>
        {
            s["Keyward:Support:CodeChecksPerAddressPerMinute"] = "3";
            s["Keyward:Support:CodeFailuresPerMinute"] = "4";
        });
        SupportCodeBinder[] binders = [nodeA.GetRequiredService<SupportCodeBinder>(), nodeB.GetRequiredService<SupportCodeBinder>()];
        async Task<string> GuessAsync(int node, string address) =>
            (await binders[node].BindAsync(HumanCode.Generate(), IPAddress.Parse(address), CancellationToken.None)).Refusal!.Error.Code;

        // Per address: three checks a minute across the cluster (per node, all six would have been checked).
        var answers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await GuessAsync(i % 2, "203.0.113.9"));
        }

        Assert.Equal([.. Enumerable.Repeat("support_code_invalid", 3), .. Enumerable.Repeat("support_code_rate_limited", 3)], answers);

        // Globally: the bucket of four has one token left, whichever node takes it; then a second guess from that
        // address is refused on the other node (whose own bucket, per node, would still have held two).
        Assert.Equal("support_code_invalid", await GuessAsync(1, "192.0.2.10"));
        Assert.Equal("support_code_rate_limited", await GuessAsync(0, "192.0.2.10"));
    }

    protected async Task TwoNodesSignInFailuresBackOffTheAccountAndTheAddressAcrossTheClusterAsync()
    {
        void Limits(Dictionary<string, string> s) => s["Keyward:SignIn:FailuresBeforeBackoff"] = "3";
        var (nodeA, clientA, _) = await StartWithAdminAsync(Limits);
        var nodeB = await StartHostAsync(Limits, now: nodeA.Time.GetUtcNow());
        KeywardTestClient[] clients = [clientA, ClientOf(nodeB)];
        var (_, stale) = await clientA.BeginAndGetAssertionAsync("admin", clientA.Key);
        async Task<KeywardResponse> FailAsync(int node)
        {
            var begin = await clients[node].LoginBeginAsync("admin");
            return await clients[node].LoginFinishAsync(Guid.Parse(begin.GetString("ceremony_id")), stale);
        }

        // Three plain failures, alternating nodes: node A saw two, node B one.
        for (var i = 0; i < 3; i++)
        {
            ProblemAssert.Problem(await FailAsync(i % 2), 401, "challenge_mismatch");
        }

        // The fourth, on node B (its second), is the cluster's fourth for the account: answered with the wait.
        var limited = await FailAsync(1);
        ProblemAssert.Problem(limited, 429, "rate_limited");
        Assert.Equal("1", Assert.Single(limited.Headers.GetValues("Retry-After")));
        var hit = Assert.Single(await AllEventsAsync(nodeA), e => e.Action == Core.Audit.AuditActions.RateLimited);
        Assert.Equal(("signin.account", "admin"), (hit.Target, hit.Actor));

        // The address's wait holds on node A too, before any work.
        ProblemAssert.Problem(await FailAsync(0), 429, "rate_limited");

        // After the wait the real key signs in through node A and clears the runs for both nodes.
        nodeA.Time.Advance(TimeSpan.FromSeconds(1));
        nodeB.Time.Advance(TimeSpan.FromSeconds(1));
        var real = await clientA.BeginAndGetAssertionAsync(null, clientA.Key);
        ProblemAssert.Ok(await clientA.LoginFinishAsync(real.CeremonyId, real.Credential));
        ProblemAssert.Problem(await FailAsync(1), 401, "challenge_mismatch");
    }

    protected async Task TwoNodesPerAddressSignInWindowHoldsAcrossTheClusterAsync()
    {
        var (nodeA, nodeB) = await StartTwoNodesAsync(s => s["Keyward:SignIn:PerAddressPerMinute"] = "3");
        KeywardTestClient[] clients = [ClientOf(nodeA), ClientOf(nodeB)];
        Task<KeywardResponse> BeginAsync(int node, string address) =>
            clients[node].SendAsync(HttpMethod.Post, "/session/login/begin", new JsonObject { ["username"] = "nobody" }, configure: TestClientAddress.From(address));

        // Six begins from one address, alternating nodes: three a minute for the cluster (per node, all six pass).
        var answers = new List<KeywardResponse>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await BeginAsync(i % 2, "198.51.100.20"));
        }

        Assert.Equal([200, 200, 200, 429, 429, 429], answers.Select(a => a.StatusCode));
        Assert.All(answers.Skip(3), a =>
        {
            ProblemAssert.Problem(a, 429, "rate_limited");
            Assert.InRange(a.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        });

        // Another address has its own window.
        ProblemAssert.Ok(await BeginAsync(1, "198.51.100.21"));
    }

    /// <summary>
    /// <paramref name="breakCounters"/> makes the shared counters unreadable (the table is dropped): a guessable check is
    /// refused (503 <c>storage_busy</c>, or the binder's exception), recovery codes included, never made unlimited; sign-in falls back to the
    /// node's own limits, so the real key still signs in and a wrong one gets its usual answer.
    /// </summary>
    protected async Task SharedCountersUnreadableGuessableChecksAreRefusedAndSignInFallsBackAsync(Func<Task> breakCounters)
    {
        var (host, client, _) = await StartWithAdminAsync();
        var (_, stale) = await client.BeginAndGetAssertionAsync("admin", client.Key);
        await breakCounters();

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = HumanCode.Generate(), ["username"] = "x" }), 503, "storage_busy");
        await Assert.ThrowsAsync<ClusterCountersUnavailableException>(() => host.GetRequiredService<SupportCodeBinder>().BindAsync(HumanCode.Generate(), IPAddress.Loopback, CancellationToken.None));

        // A recovery code is guessable too: not checked against this node's own count, refused (per node, 401).
        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["username"] = "admin", ["recovery_code"] = "AAAA-AAAA-AAAA" }), 503, "storage_busy");

        var begin = await client.LoginBeginAsync("admin");
        ProblemAssert.Problem(await client.LoginFinishAsync(Guid.Parse(begin.GetString("ceremony_id")), stale), 401, "challenge_mismatch");
        var real = await client.BeginAndGetAssertionAsync(null, client.Key);
        ProblemAssert.Ok(await client.LoginFinishAsync(real.CeremonyId, real.Credential));
    }
}
