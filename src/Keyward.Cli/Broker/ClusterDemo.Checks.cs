using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Keyward.Client;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// Sign-in through the balancer, requests landing on both nodes (nginx names the node that answered), a logout on node A
/// refused at once on node B and the cross-node revocation latency over the logouts, and one WebSocket ticket raced
/// over both nodes.
/// </summary>
internal sealed partial class ClusterDemo
{
    private const int RaceRounds = 5;

    // The longest a revoked token may stay accepted on the other node before the check fails; a hang guard, not a target.
    private static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(10);

    private async Task SignInAsync(CancellationToken ct)
    {
        await Step(SignIn, async () =>
        {
            _token = await SignInThroughBalancerAsync(ct).ConfigureAwait(false);
            var status = await Balancer.StatusAsync(_token, ct).ConfigureAwait(false);
            _report.Note($"signed in through the balancer as {status.Account} ({status.Role})");
        }).ConfigureAwait(false);

        await Step(BothNodes, async () =>
        {
            var landed = new Dictionary<string, int>();
            for (var i = 0; i < 8; i++)
            {
                var answer = await Balancer.PostAsync("/resource/counter", _token, null, ct).ConfigureAwait(false);
                answer.EnsureSuccess();
                var node = NodeOf(answer);
                landed[node] = landed.GetValueOrDefault(node) + 1;
            }

            if (!landed.ContainsKey(NodeA.Name) || !landed.ContainsKey(NodeB.Name))
            {
                throw new InvalidOperationException($"8 counter calls landed only on {string.Join(", ", landed.Keys)}");
            }

            _report.Note($"8 counter calls through the balancer: {string.Join(", ", landed.OrderBy(l => l.Key).Select(l => $"{l.Value} on node {l.Key}"))}");
        }).ConfigureAwait(false);
    }

    private async Task RevocationAsync(CancellationToken ct)
    {
        await Step(LogoutRefused, async () =>
        {
            var (after, code) = await LogoutOnARefusedOnBAsync(ct).ConfigureAwait(false);
            _report.Note($"logout on node A; node B refused the token {after.TotalMilliseconds:0.0} ms later: 401 {code}");
        }).ConfigureAwait(false);

        await Step(Latency, async () =>
        {
            var latencies = new double[_logouts];
            for (var i = 0; i < _logouts; i++)
            {
                latencies[i] = (await LogoutOnARefusedOnBAsync(ct).ConfigureAwait(false)).After.TotalMilliseconds;
            }

            Array.Sort(latencies);
            var figures = string.Create(
                CultureInfo.InvariantCulture,
                $"cross-node revocation latency over {_logouts} logouts: p50 {Percentile(latencies, 0.50):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms");
            _console.MarkupLineInterpolated($"    {figures}");
            _report.Note(figures);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A fresh session (signed in through the balancer) that node B has checked and cached, logged out on node A; then
    /// node B asked again and again, back to back, until it refuses. The time from the logout's answer to the first
    /// refusal, and the refusal's code.
    /// </summary>
    private async Task<(TimeSpan After, string? Code)> LogoutOnARefusedOnBAsync(CancellationToken ct)
    {
        var token = await SignInThroughBalancerAsync(ct).ConfigureAwait(false);
        var onB = NodeB.Client;
        await onB.StatusAsync(token, ct).ConfigureAwait(false);
        await NodeA.Client.LogoutAsync(token, ct).ConfigureAwait(false);
        var loggedOut = Stopwatch.GetTimestamp();
        while (true)
        {
            var answer = await onB.PostAsync(KeywardPaths.Status, token, null, ct).ConfigureAwait(false);
            var after = Stopwatch.GetElapsedTime(loggedOut);
            if (answer.StatusCode == (int)HttpStatusCode.Unauthorized)
            {
                return (after, answer.Code);
            }

            if (!answer.IsSuccess)
            {
                throw new InvalidOperationException($"node B answered {answer.StatusCode} {answer.Code} instead of the session or 401");
            }

            if (after > RefusalBound)
            {
                throw new TimeoutException($"node B still accepted the token {RefusalBound.TotalSeconds:0} s after the logout on node A");
            }
        }
    }

    private async Task TicketRaceAsync(CancellationToken ct) =>
        await Step(TicketRace, async () =>
        {
            var losers = new List<string>();
            var winners = new Dictionary<string, int>();
            for (var round = 0; round < RaceRounds; round++)
            {
                var ticket = (await Balancer.RequestWebSocketTicketAsync(_token, DemoWebSocket.Route, null, ct).ConfigureAwait(false)).Ticket;
                using var onA = NewSocket();
                using var onB = NewSocket();
                var tries = new[] { (Node: NodeA, Socket: onA), (Node: NodeB, Socket: onB) };
                var results = await Task.WhenAll(tries.Select(t => TryOpenAsync(t.Socket, t.Node, ticket, ct))).ConfigureAwait(false);
                var won = tries.Where((_, i) => results[i] is null).ToList();
                if (won.Count != 1)
                {
                    throw new InvalidOperationException($"round {round + 1}: {won.Count} upgrades succeeded with one ticket ({string.Join("; ", results.Where(r => r is not null))})");
                }

                // The winner's socket works end to end: through its node to the counter's echo and back.
                var winner = won[0];
                await EchoAsync(winner.Socket, ct).ConfigureAwait(false);
                await winner.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct).ConfigureAwait(false);
                winners[winner.Node.Name] = winners.GetValueOrDefault(winner.Node.Name) + 1;
                losers.Add(results.Single(r => r is not null)!);
            }

            _report.Note($"{RaceRounds} tickets, each raced on node A and node B at once: one upgrade each ({string.Join(", ", winners.OrderBy(w => w.Key).Select(w => $"{w.Value} won on {w.Key}"))}); the other refused: {string.Join(", ", losers.Distinct())}");
        }).ConfigureAwait(false);

    private ClientWebSocket NewSocket()
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", Origin);
        socket.Options.RemoteCertificateValidationCallback = CaTrust.Only(_caFile);
        socket.Options.CollectHttpResponseDetails = true;
        return socket;
    }

    /// <summary>Null when the upgrade succeeded; else what refused it (the status Keyward answered).</summary>
    private static async Task<string?> TryOpenAsync(ClientWebSocket socket, ClusterDemoNode node, string ticket, CancellationToken ct)
    {
        var target = new Uri($"wss://localhost:{node.Port}/resource/echo?ticket={Uri.EscapeDataString(ticket)}");
        try
        {
            await socket.ConnectAsync(target, ct).ConfigureAwait(false);
            return null;
        }
        catch (WebSocketException)
        {
            if (socket.HttpStatusCode is HttpStatusCode.SwitchingProtocols or 0)
            {
                throw;
            }

            return $"{(int)socket.HttpStatusCode} on node {node.Name}";
        }
    }

    private static async Task EchoAsync(ClientWebSocket socket, CancellationToken ct)
    {
        const string Message = "one ticket, one socket";
        await socket.SendAsync(Encoding.UTF8.GetBytes(Message), WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
        if (Encoding.UTF8.GetString(buffer, 0, result.Count) != Message)
        {
            throw new InvalidOperationException("the winner's socket did not echo the message");
        }
    }

    /// <summary>A sign-in through the balancer; remembers which node finished it (and so wrote its session and audit event).</summary>
    private async Task<string> SignInThroughBalancerAsync(CancellationToken ct)
    {
        string? finishedOn = null;
        var client = new KeywardClient(
            _http ?? throw new InvalidOperationException("the balancer is not started"),
            new KeywardClientOptions { OnResponse = r => finishedOn = r.Path == KeywardPaths.LoginFinish && r.IsSuccess ? NodeNamed(r) : finishedOn });
        var token = (await client.SignInAsync(_key, Account, ct).ConfigureAwait(false)).SessionToken;
        _finishedOn[token] = finishedOn ?? "?";
        Interlocked.Increment(ref _signIns);
        return token;
    }

    /// <summary>Which node answered a request through the balancer: nginx's header holds its address.</summary>
    private string NodeOf(KeywardResponse answer) =>
        NodeNamed(answer) ?? throw new InvalidOperationException($"the balancer's answer names no node ({ClusterDemoNginx.NodeHeader}: \"{Upstream(answer)}\")");

    private string? NodeNamed(KeywardResponse answer)
    {
        // After a failed try nginx lists every address it tried ("a, b"): the last one answered.
        var last = Upstream(answer).Split(',').Last().Trim();
        return _nodes.FirstOrDefault(n => last == $"127.0.0.1:{n.Port}")?.Name;
    }

    private static string Upstream(KeywardResponse answer) =>
        answer.Headers.TryGetValues(ClusterDemoNginx.NodeHeader, out var values) ? values.LastOrDefault() ?? string.Empty : string.Empty;

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
