using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Keyward.Client;

namespace Keyward.EndToEnd.Tests.Cluster;

public sealed partial class RealClusterTests
{
    private const int AcknowledgedPerPhase = 30;
    private const int SignInsPerPhase = 3;

    /// <summary>
    /// kill -9 of one node while clients keep calling the counter and signing in through the balancer; the node is then
    /// started again on its files. Phase 0: all nodes; 1: one node dead; 2: restarted.
    /// </summary>
    [Fact]
    public async Task KillNine_OfOneNode_UnderCounterCallsAndSignIns_LosesNoAcknowledgedWrite_AndTheOthersKeepServing()
    {
        var victim = cluster.Nodes[^1];
        using var signer = cluster.AdminClient(cluster.Balancer);
        var token = (await signer.LoginAsync()).Token;
        using var http = new HttpClient(cluster.Balancer.CreateHandler()) { BaseAddress = cluster.Balancer.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var run = new KillRun();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(_ => CallCounterUntilAsync(http, run, stop.Token))
            .Append(SignInUntilAsync(signer, run, stop.Token)).ToArray();
        try
        {
            await run.WaitForPhaseAsync(0);

            await victim.KillAsync();
            run.Phase = 1;
            await run.WaitForPhaseAsync(1);

            await victim.StartAsync(cluster.Keyward);
            run.Phase = 2;
            await run.WaitForPhaseAsync(2);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        for (var phase = 0; phase <= 2; phase++)
        {
            output.WriteLine($"phase {phase}: {run.Values.Count(v => v.Phase == phase)} counter values and {run.Sessions.Count(s => s.Phase == phase)} sign-ins acknowledged");
        }

        output.WriteLine($"the upstream applied {cluster.Upstream.Applied} counter calls in all");
        Assert.True(run.Unexpected.IsEmpty, "Answers other than success or a node being down:\n" + string.Join('\n', run.Unexpected.Take(20)));

        // The other nodes kept serving while one was dead.
        Assert.True(run.Values.Count(v => v.Phase == 1) >= AcknowledgedPerPhase && run.Sessions.Count(s => s.Phase == 1) >= SignInsPerPhase);

        // No counter call applied twice (the balancer never retried a POST a node had taken), no value acknowledged twice.
        Assert.Empty(cluster.Upstream.AppliedTwice);
        var values = run.Values.Select(v => v.Value).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());

        // Every acknowledged session is there after the restart, on every node, the restarted one included.
        foreach (var node in cluster.Nodes)
        {
            using var client = cluster.AdminClient(node.Endpoint);
            foreach (var (session, phase) in run.Sessions)
            {
                AssertStatus(200, await client.StatusAsync(session), $"a session acknowledged in phase {phase}, on node {node.Index}");
            }
        }
    }

    // POST the counter through the balancer until stopped. A value is acknowledged only when it came back in a 200; a node
    // dying mid-request (502), or none to answer, is expected and not acknowledged.
    private static async Task CallCounterUntilAsync(HttpClient http, KillRun run, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var phase = run.Phase;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/resource/count");
                request.Headers.Add(ClusterUpstream.WriteIdHeader, Guid.NewGuid().ToString("N"));
                using var response = await http.SendAsync(request, stop);
                var body = await response.Content.ReadAsStringAsync(stop);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var json = JsonDocument.Parse(body);
                    run.Values.Enqueue((json.RootElement.GetProperty("value").GetInt32(), phase));
                    continue;
                }

                if (response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    run.Unexpected.Enqueue($"counter: {(int)response.StatusCode} {body}");
                }
            }
            catch (HttpRequestException)
            {
                // The connection to the balancer broke: not acknowledged.
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    // Sign in through the balancer until stopped; a session is acknowledged once the finish answered with its token.
    private async Task SignInUntilAsync(KeywardTestClient signer, KillRun run, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var phase = run.Phase;
            try
            {
                var signedIn = await signer.Client.SignInAsync(cluster.AdminKey, "admin", stop);
                run.Sessions.Enqueue((signedIn.SessionToken, phase));
                continue;
            }
            catch (KeywardProblemException e) when (e.Status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                // A node died between the ceremony's halves or mid-request: not acknowledged.
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (KeywardProblemException e)
            {
                run.Unexpected.Enqueue($"sign-in: {(int)e.Status} {e.Code} {e.Detail}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    private sealed class KillRun
    {
        private int _phase;

        public int Phase
        {
            get => Volatile.Read(ref _phase);
            set => Volatile.Write(ref _phase, value);
        }

        public ConcurrentQueue<(int Value, int Phase)> Values { get; } = new();

        public ConcurrentQueue<(string Token, int Phase)> Sessions { get; } = new();

        public ConcurrentQueue<string> Unexpected { get; } = new();

        public async Task WaitForPhaseAsync(int phase)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (Values.Count(v => v.Phase == phase) < AcknowledgedPerPhase || Sessions.Count(s => s.Phase == phase) < SignInsPerPhase)
            {
                if (limit.IsCancellationRequested)
                {
                    throw new TimeoutException(
                        $"Phase {phase}: {Values.Count(v => v.Phase == phase)} values and {Sessions.Count(s => s.Phase == phase)} sessions acknowledged in time. Unexpected answers:\n"
                        + string.Join('\n', Unexpected.Take(10)));
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }
    }
}
