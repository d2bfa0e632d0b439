using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Audit;

namespace Keyward.Cli.Broker;

/// <summary>
/// kill -9 of node B while a stream of acknowledged writes (sign-ins, counter calls) runs through the balancer: node A
/// keeps serving, node B restarts on its port and takes traffic again, and afterwards every acknowledged session is
/// there on both nodes and no counter value was handed out twice. Then the nodes stop and the audit log, written by
/// both, is exported from the database and verified.
/// </summary>
internal sealed partial class ClusterDemo
{
    // What the stream must show in each phase before the walk moves on; bounded by Bound in case it never does.
    private const int AcksBeforeKill = 20;
    private const int AcksAfterKill = 30;
    private const int AcksOnRestarted = 5;

    private readonly ConcurrentQueue<string> _streamTokens = new();
    private readonly ConcurrentDictionary<string, string> _finishedOn = new(StringComparer.Ordinal);
    private readonly List<(Guid Session, string Node)> _streamSessions = [];
    private readonly ConcurrentQueue<(long Value, string Node, int Phase)> _streamValues = new();
    private int _phase;
    private int _unacknowledged;

    private async Task KillAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stream = Task.WhenAll(SignInStreamAsync(stop.Token), CounterStreamAsync(stop.Token), CounterStreamAsync(stop.Token));
        try
        {
            await Step(KillKeepsServing, async () =>
            {
                await WaitForAsync(
                    () => Acks(0, null) >= AcksBeforeKill && Acks(0, NodeB.Name) > 0 && _streamTokens.Any(t => _finishedOn.GetValueOrDefault(t) == NodeB.Name),
                    "counter calls on both nodes and a sign-in finished on node B before the kill",
                    ct).ConfigureAwait(false);
                await NodeB.KillAsync().ConfigureAwait(false);
                var killed = Stopwatch.GetTimestamp();
                Volatile.Write(ref _phase, 1);
                var tokensAtKill = _streamTokens.Count;
                await WaitForAsync(() => Acks(1, NodeA.Name) >= AcksAfterKill && _streamTokens.Count > tokensAtKill, "counter calls and a sign-in on node A after the kill", ct).ConfigureAwait(false);
                if (Acks(1, NodeB.Name) > 0)
                {
                    throw new InvalidOperationException("a write was acknowledged by node B after it was killed");
                }

                _report.Note($"node B killed (SIGKILL) under the stream; node A then acknowledged {Acks(1, NodeA.Name)} counter calls and {_streamTokens.Count - tokensAtKill} sign-ins in {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:0} ms; {Volatile.Read(ref _unacknowledged)} writes in flight failed (not acknowledged)");
            }).ConfigureAwait(false);

            await Step(Restarted, async () =>
            {
                await NodeB.StartAsync(Bound, ct).ConfigureAwait(false);
                Volatile.Write(ref _phase, 2);
                await WaitForAsync(() => Acks(2, NodeB.Name) >= AcksOnRestarted, "counter calls on the restarted node B", ct).ConfigureAwait(false);
                _report.Note($"node B back on 127.0.0.1:{NodeB.Port}; it acknowledged {Acks(2, NodeB.Name)} counter calls through the balancer");
            }).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await stream.ConfigureAwait(false);
        }

        await Step(WritesKept, async () =>
        {
            var values = _streamValues.Select(v => v.Value).ToList();
            var twice = values.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (twice.Count > 0)
            {
                throw new InvalidOperationException($"counter values acknowledged twice: {string.Join(", ", twice.Take(5))}");
            }

            // The counter moved on past every acknowledged value: none of them is handed out again.
            var next = (await Balancer.PostAsync("/resource/counter", _token, null, ct).ConfigureAwait(false)).EnsureSuccess().Json.GetProperty("value").GetInt64();
            if (next <= values.Max())
            {
                throw new InvalidOperationException($"the counter answered {next} after acknowledging {values.Max()}");
            }

            // Every acknowledged sign-in is a live session on both nodes, and no two share a session.
            var sessions = new HashSet<Guid>();
            foreach (var token in _streamTokens)
            {
                var onA = await NodeA.Client.StatusAsync(token, ct).ConfigureAwait(false);
                var onB = await NodeB.Client.StatusAsync(token, ct).ConfigureAwait(false);
                if (onA.SessionId != onB.SessionId || !sessions.Add(onA.SessionId))
                {
                    throw new InvalidOperationException($"session {onA.SessionId} answered for two sign-ins, or differently on the two nodes");
                }

                _streamSessions.Add((onA.SessionId, _finishedOn[token]));
            }

            _report.Note($"after the restart: all {sessions.Count} acknowledged sign-ins live on both nodes, distinct; {values.Count} acknowledged counter values distinct, the counter at {next}");
        }).ConfigureAwait(false);
    }

    private async Task AuditAsync(CancellationToken ct) =>
        await Step(AuditVerifies, async () =>
        {
            // Stopped first: the export is the log as the nodes left it.
            foreach (var node in _nodes)
            {
                await node.KillAsync().ConfigureAwait(false);
            }

            var export = Path.Combine(_directory, "audit.jsonl");
            string[] storage = ["--Keyward:Storage:Provider=Postgres", $"--Keyward:Storage:ConnectionString={_postgres!.ConnectionString}"];
            var (exit, lines) = await RunChildAsync("keyward audit export", ["audit", "export", "--data-dir", NodeA.DataDirectory, "--out", export, .. storage], ct).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException($"keyward audit export exited {exit}: {string.Join(" | ", lines.TakeLast(4))}");
            }

            (exit, lines) = await RunChildAsync("keyward audit verify", ["audit", "verify", export], ct).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException($"keyward audit verify exited {exit}: {string.Join(" | ", lines.TakeLast(4))}");
            }

            var events = File.ReadLines(export).Select(l => JsonNode.Parse(l)!).Where(l => (string?)l["type"] == "event").Select(l => l["event"]!).ToList();
            var created = events.Count(e => (string?)e["action"] == AuditActions.SessionCreated);
            if (created < _signIns)
            {
                throw new InvalidOperationException($"{_signIns} sign-ins were acknowledged, the audit log records {created} sessions created");
            }

            // Each session of the stream is in the one log, whichever node finished its sign-in (both did).
            var logged = events.Where(e => (string?)e["action"] == AuditActions.SessionCreated).Select(e => (string?)e["target"]).ToHashSet(StringComparer.Ordinal);
            var missing = _streamSessions.Where(s => !logged.Contains(s.Session.ToString())).ToList();
            var byNode = _streamSessions.GroupBy(s => s.Node).ToDictionary(g => g.Key, g => g.Count());
            if (missing.Count > 0 || !byNode.ContainsKey(NodeA.Name) || !byNode.ContainsKey(NodeB.Name))
            {
                throw new InvalidOperationException($"{missing.Count} acknowledged sessions have no session.created event; sessions by node: {string.Join(", ", byNode.Select(b => $"{b.Key} {b.Value}"))}");
            }

            _report.Note($"audit: {events.Count} events in one log, {created} sessions created (≥ {_signIns} acknowledged sign-ins); the stream's sessions all there: {string.Join(", ", byNode.OrderBy(b => b.Key).Select(b => $"{b.Value} finished on node {b.Key}"))}");
            _report.Note($"keyward audit verify: {lines.LastOrDefault(l => l.Length > 0)}");
        }).ConfigureAwait(false);

    private int Acks(int phase, string? node) => _streamValues.Count(v => v.Phase == phase && (node is null || v.Node == node));

    private async Task SignInStreamAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var token = await SignInThroughBalancerAsync(stop).ConfigureAwait(false);
                _streamTokens.Enqueue(token);

                // A third request per sign-in (its status, through the balancer): with round-robin and two requests per
                // sign-in, every finish could otherwise fall on the same node, and the audit check wants both.
                await Balancer.PostAsync(KeywardPaths.Status, token, null, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KeywardProblemException or HttpRequestException or IOException)
            {
                // A sign-in whose answer never came (its node died) is not acknowledged: it counts for nothing.
                Interlocked.Increment(ref _unacknowledged);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task CounterStreamAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var phase = Volatile.Read(ref _phase);
                var answer = await Balancer.PostAsync("/resource/counter", _token, null, stop).ConfigureAwait(false);
                if (answer.IsSuccess)
                {
                    // An answer naming no node still counts as acknowledged; it just counts for no node's phase.
                    _streamValues.Enqueue((answer.Json.GetProperty("value").GetInt64(), NodeNamed(answer) ?? "?", phase));
                }
                else
                {
                    Interlocked.Increment(ref _unacknowledged);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Interlocked.Increment(ref _unacknowledged);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> done, string what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > Bound)
            {
                throw new TimeoutException($"no {what} within {Bound.TotalSeconds:0} s");
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Starts <c>keyward <paramref name="args"/></c>, waits for it to exit, and returns its exit code and output.</summary>
    private static async Task<(int Exit, IReadOnlyList<string> Lines)> RunChildAsync(string name, IEnumerable<string> args, CancellationToken ct)
    {
        var child = DemoChild.Start(name, args);
        await using (child.ConfigureAwait(false))
        {
            var exit = await child.WaitForExitAsync(Bound, ct).ConfigureAwait(false);
            return (exit, child.Lines);
        }
    }
}
