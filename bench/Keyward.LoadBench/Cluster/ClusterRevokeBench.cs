using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Keyward.Core.Cluster;
using Keyward.Core.Sessions;
using Keyward.Testing;
using Keyward.Testing.Hosting;

namespace Keyward.LoadBench.Cluster;

/// <summary>
/// <c>--mode cluster-revoke</c> (issue 13, "Speed"): a throwaway PostgreSQL (<see cref="PostgresCluster"/>, as the tests
/// start one), two Keyward nodes in this process on Kestrel (<see cref="ClusterNodes"/>), a plain upstream behind one
/// route. Each of N rounds, one at a time: sign in on A, warm the session on B (two proxied requests there, so B has it
/// cached), log out on A, and wait for B's <see cref="SessionService.Ended"/> (raised when B's listener has checked
/// the notice and marked the session ended, after which no cached read is honoured); then one proxied request on B
/// must be refused with <c>session_logged_out</c>. The baseline, interleaved round by round: the same on one node
/// (log out on A, then the request on A). Then the database commands node B runs per proxied request with a cached
/// session, with its listener up and with it cut (the fail-closed fallback), counted by <see cref="DbCommandCounter"/>.
/// </summary>
internal static class ClusterRevokeBench
{
    private const string Path = "/resource/hello";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(int logouts, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        var failures = new List<string>();
        log.WriteLine("cluster-revoke: starting PostgreSQL, an upstream and two Keyward nodes ...");
        await using var postgres = await PostgresCluster.StartAsync(cancellationToken);
        await using var upstream = await PlainUpstream.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Keyward:SignIn:PerAddressPerMinute"] = "1000000",
            ["Keyward:SignIn:FailuresBeforeBackoff"] = "1000000",
            ["Keyward:Routes:resource:Path"] = "/resource/{**rest}",
            ["Keyward:Routes:resource:Upstream"] = upstream.Address.ToString(),
            // Long enough that the fallback is measured before the listener is back (see CountCommandsAsync).
            ["Keyward:Cluster:ListenerReconnectDelay"] = "00:00:20",
        };
        // Started before the nodes: EF Core caches for up to 1 s per context whether anyone listens (see DbCommandCounter).
        using var commands = DbCommandCounter.Start();
        await using var cluster = await ClusterNodes.StartAsync(await postgres.CreateDatabaseAsync(cancellationToken: cancellationToken), 1, settings);
        using var a = cluster[0].CreateClient();
        await a.RegisterAdminAsync(cluster[0].SetupCode!);
        await cluster.AddNodeAsync();
        using var b = cluster[1].CreateClient();
        var started = Stopwatch.GetTimestamp();
        while ((await cluster.BackendsAsync("keyward-revocations-")).Count < 2 || !Trust(cluster, 0).IsTrusted || !Trust(cluster, 1).IsTrusted)
        {
            if (Stopwatch.GetElapsedTime(started) > Patience)
            {
                log.WriteLine("cluster-revoke: the nodes' revocation listeners did not connect.");
                return 1;
            }

            await Task.Delay(50, cancellationToken);
        }

        var heardOnA = Watch(cluster, 0);
        var heardOnB = Watch(cluster, 1);
        var cross = new Samples();
        var same = new Samples();
        var warmUp = Math.Min(20, logouts);
        log.WriteLine($"cluster-revoke: {warmUp} warm-up rounds, then {logouts} measured rounds (each: one logout seen from the other node, one on the same node) ...");
        for (var i = -warmUp; i < logouts; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var keep = i >= 0;
            // Alternate which goes first, so slow drifts on the box hit both alike.
            if (i % 2 == 0)
            {
                await RoundAsync(a, b, heardOnB, keep ? cross : null, failures);
                await RoundAsync(a, a, heardOnA, keep ? same : null, failures);
            }
            else
            {
                await RoundAsync(a, a, heardOnA, keep ? same : null, failures);
                await RoundAsync(a, b, heardOnB, keep ? cross : null, failures);
            }

            if (failures.Count > 10)
            {
                break;
            }

            if (keep && (i + 1) % 100 == 0)
            {
                log.WriteLine($"  {i + 1}/{logouts}");
            }
        }

        var counted = await CountCommandsAsync(cluster, commands, a, b, failures, cancellationToken);
        Report(logouts, cross, same, counted, failures);
        return failures.Count == 0 ? 0 : 1;
    }

    // One logout: sign in on A, warm on the checking node, log out on A, wait until the checking node's cache lets go,
    // then one proxied request there must be refused.
    private static async Task RoundAsync(KeywardTestClient a, KeywardTestClient checker, ConcurrentDictionary<Guid, TaskCompletionSource<long>> heard, Samples? samples, List<string> failures)
    {
        var session = await a.LoginAsync("admin");
        for (var warm = 0; warm < 2; warm++)
        {
            var answer = await checker.ProxyAsync(Path, session.Token);
            if (answer.StatusCode != 200)
            {
                failures.Add($"warming a live session answered {answer.StatusCode} {answer.Code}");
                return;
            }
        }

        var ended = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        heard[session.Id] = ended;
        var sent = Stopwatch.GetTimestamp();
        var logout = await a.LogoutAsync(session.Token);
        var answered = Stopwatch.GetTimestamp();
        if (!logout.IsSuccess)
        {
            failures.Add($"logout answered {logout.StatusCode} {logout.Code}");
            return;
        }

        long endedAt;
        try
        {
            endedAt = await ended.Task.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            failures.Add($"the checking node did not let go of a logged-out session within {Patience.TotalSeconds} s");
            return;
        }
        finally
        {
            heard.TryRemove(session.Id, out _);
        }

        var refused = await checker.ProxyAsync(Path, session.Token);
        var refusedAt = Stopwatch.GetTimestamp();
        if (refused.StatusCode != 401 || refused.Code != "session_logged_out")
        {
            failures.Add($"after the logout was heard, the checking node answered {refused.StatusCode} {refused.Code}, not 401 session_logged_out");
            return;
        }

        samples?.Add(Ms(sent, endedAt), Ms(sent, refusedAt), Ms(answered, endedAt));
    }

    // Database commands node B runs for proxied requests with a cached session: listener up, then listener cut.
    private static async Task<(int Requests, long Up, long Down, long UpOnA)> CountCommandsAsync(ClusterNodes cluster, DbCommandCounter commands, KeywardTestClient a, KeywardTestClient b, List<string> failures, CancellationToken cancellationToken)
    {
        const int requests = 200;
        var session = await a.LoginAsync("admin");
        var (nodeA, nodeB) = (cluster[0], cluster[1]);
        await ProxyAllAsync(b, session.Token, 2, failures);
        await ProxyAllAsync(a, session.Token, 1, failures);
        commands.Reset(nodeA);
        commands.Reset(nodeB);
        await ProxyAllAsync(b, session.Token, requests, failures);
        await ProxyAllAsync(a, session.Token, requests, failures);
        var up = commands.Reset(nodeB);
        var upOnA = commands.Reset(nodeA);

        var name = "keyward-revocations-" + cluster[1].GetRequiredService<RevocationBus>().NodeId;
        if (await cluster.TerminateAsync(name) != 1)
        {
            failures.Add("could not cut node B's listener connection");
            return (requests, up, -1, upOnA);
        }

        var started = Stopwatch.GetTimestamp();
        while (Trust(cluster, 1).IsTrusted)
        {
            if (Stopwatch.GetElapsedTime(started) > Patience)
            {
                failures.Add("node B kept trusting its cache after its listener connection was cut");
                return (requests, up, -1, upOnA);
            }

            await Task.Delay(20, cancellationToken);
        }

        commands.Reset(nodeB);
        await ProxyAllAsync(b, session.Token, requests, failures);
        var down = commands.Reset(nodeB);
        if (!Trust(cluster, 1).IsTrusted && down < requests)
        {
            failures.Add($"with its listener down node B ran {down} database commands for {requests} proxied requests: some were answered from its cache");
        }

        return (requests, up, down, upOnA);
    }

    private static async Task ProxyAllAsync(KeywardTestClient client, string token, int count, List<string> failures)
    {
        for (var i = 0; i < count; i++)
        {
            var answer = await client.ProxyAsync(Path, token);
            if (answer.StatusCode != 200)
            {
                failures.Add($"a proxied request with a live session answered {answer.StatusCode} {answer.Code}");
                return;
            }
        }
    }

    private static void Report(int logouts, Samples cross, Samples same, (int Requests, long Up, long Down, long UpOnA) commands, List<string> failures)
    {
        var o = Console.Out;
        o.WriteLine("# Keyward cluster: cross-node revocation latency (issue 13, \"Speed\")");
        o.WriteLine();
        o.WriteLine($"Two Keyward nodes in one process (Kestrel, TLS, loopback) on one throwaway PostgreSQL; {logouts} logouts each way, one at a time, interleaved; load average at the end: {ClusterModes.LoadAverage()} on {Environment.ProcessorCount} cores.");
        o.WriteLine();
        o.WriteLine("| measured (ms) | n | p50 | p99 | max |");
        o.WriteLine("|---|---|---|---|---|");
        Row(o, "**cross-node**: logout sent to A → B's cache let go (B's `SessionService.Ended`)", cross.Heard);
        Row(o, "**cross-node**: logout sent to A → B refused the token (the above + one proxied request on B)", cross.Refused);
        Row(o, "cross-node: A's logout answer received → B's cache let go", cross.AfterAnswer);
        Row(o, "baseline, one node: logout sent to A → A's cache let go", same.Heard);
        Row(o, "baseline, one node: logout sent to A → A refused the token (+ one proxied request on A)", same.Refused);
        o.WriteLine();
        var p99 = ClusterModes.Percentile(cross.Refused.Order().ToList(), 99);
        o.WriteLine(cross.Refused.Count == 0
            ? "Target p99 ≤ 250 ms: no figure (see failures)."
            : $"Target (cross-node refusal p99 ≤ 250 ms): {(p99 <= 250 ? "met" : "NOT met")} ({F(p99)} ms).");
        o.WriteLine();
        o.WriteLine("## Database commands per proxied request with a cached valid session (real clock)");
        o.WriteLine();
        o.WriteLine("| node | requests | database commands | per request |");
        o.WriteLine("|---|---|---|---|");
        o.WriteLine($"| A (PostgreSQL, listener up) | {commands.Requests} | {commands.UpOnA} | {F((double)commands.UpOnA / commands.Requests)} |");
        o.WriteLine($"| B (PostgreSQL, listener up) | {commands.Requests} | {commands.Up} | {F((double)commands.Up / commands.Requests)} |");
        o.WriteLine($"| B (PostgreSQL, listener cut: fail-closed fallback) | {commands.Requests} | {commands.Down} | {F((double)commands.Down / commands.Requests)} |");
        o.WriteLine();
        o.WriteLine("On a real clock a cached session is also re-read once per `Keyward:Sessions:CacheRevalidateInterval` (5 s) and its last use written back once per `LastSeenWriteInterval` (1 min), per node; a short run may or may not include one.");
        if (failures.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"## FAILED ({failures.Count})");
            failures.Take(20).ToList().ForEach(f => o.WriteLine("- " + f));
        }
    }

    private static void Row(TextWriter o, string what, List<double> values)
    {
        var sorted = values.Order().ToList();
        o.WriteLine($"| {what} | {sorted.Count} | {F(ClusterModes.Percentile(sorted, 50))} | {F(ClusterModes.Percentile(sorted, 99))} | {F(sorted.Count == 0 ? double.NaN : sorted[^1])} |");
    }

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static CacheTrust Trust(ClusterNodes cluster, int node) => cluster[node].GetRequiredService<RevocationBus>().Trust;

    // The hook: a node's SessionService raises Ended once the session is marked ended there (its cache lets go).
    private static ConcurrentDictionary<Guid, TaskCompletionSource<long>> Watch(ClusterNodes cluster, int node)
    {
        var waiting = new ConcurrentDictionary<Guid, TaskCompletionSource<long>>();
        cluster[node].GetRequiredService<SessionService>().Ended += id =>
        {
            if (waiting.TryGetValue(id, out var ended))
            {
                ended.TrySetResult(Stopwatch.GetTimestamp());
            }
        };
        return waiting;
    }

    private sealed class Samples
    {
        public List<double> Heard { get; } = [];

        public List<double> Refused { get; } = [];

        public List<double> AfterAnswer { get; } = [];

        public void Add(double heard, double refused, double afterAnswer)
        {
            Heard.Add(heard);
            Refused.Add(refused);
            AfterAnswer.Add(afterAnswer);
        }
    }
}
