using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Keyward.Agent.Runtime;
using Keyward.Cli.Support;
using Keyward.Client;

namespace Keyward.LoadBench.Support;

/// <summary>
/// Revocation latency (issue 11, "Done when"): over <c>--rounds</c> rounds each,
/// <list type="bullet">
/// <item><b>logout → viewer closed</b>: a technician signs in, opens a support session for a machine whose real agent
/// (the agent library) accepts, and holds an active viewer socket (the CLI's <see cref="ViewerSocket"/>, a TCP stream);
/// the time from sending <c>POST /session/logout</c> to the viewer socket's end, which must say <c>session_ended</c>;</item>
/// <item><b>agent key revoked → agent closed</b>: a machine enrolled and connected (a raw <c>keyward-agent.v1</c>
/// client); the time from sending the admin's <c>POST /api/admin/machines/{id}/revoke</c> to the agent's socket
/// receiving Keyward's close, which must be 4401, and a reconnect with the key must then be refused 401.</item>
/// </list>
/// Target ≤ 1 s; the report prints p50 and max.
/// </summary>
internal static class RevocationBench
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(SupportBenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        using var source = new ByteSource(1);
        await using var bed = await SupportBed.StartAsync(log, new Dictionary<string, string>
        {
            ["Keyward:Support:MaxSessionsPerMachine"] = "100",
            ["Keyward:Support:MaxSessionsPerAccount"] = "1000",
            ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
        }, cancellationToken);
        var state = await bed.EnrollAgentAsync("revocation bench", cancellationToken);
        using var stopAgent = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var agent = Task.Run(() => new AgentRuntime(new AgentRuntimeOptions
        {
            StateDirectory = state.Directory,
            AllowedPorts = new HashSet<int> { source.Port },
            Consent = static (_, _) => Task.FromResult(true),
        }).RunAsync(stopAgent.Token), CancellationToken.None);

        var logout = new List<double>();
        var logoutAnswered = new List<double>();
        var revoke = new List<double>();
        try
        {
            var admin = await bed.AdminAsync();
            for (var round = 0; round < settings.Rounds; round++)
            {
                var (closed, answered) = await LogoutRoundAsync(bed, admin, Guid.Parse(state.MachineId), source.Port, cancellationToken);
                logout.Add(closed);
                logoutAnswered.Add(answered);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}/{settings.Rounds} logout → viewer closed {closed:N1} ms (logout answered after {answered:N1} ms)"));
            }

            for (var round = 0; round < settings.Rounds; round++)
            {
                var closed = await RevokeRoundAsync(bed, round, cancellationToken);
                revoke.Add(closed);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}/{settings.Rounds} key revoked → agent closed {closed:N1} ms"));
            }
        }
        finally
        {
            await stopAgent.CancelAsync();
            await agent.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        Report(Console.Out, settings, logout, logoutAnswered, revoke);
        return 0;
    }

    private static async Task<(double Closed, double Answered)> LogoutRoundAsync(SupportBed bed, Testing.Hosting.TestSession admin, Guid machine, int port, CancellationToken cancellationToken)
    {
        var technician = await bed.Client.LoginAsync("admin");
        var (session, _) = await bed.OpenSessionAsync(technician, machine);
        try
        {
            var join = await bed.JoinTokenAsync(technician, session);
            await using var viewer = await ViewerSocket.ConnectAsync(bed.ViewerUri(session, port), join, bed.Sockets, cancellationToken);
            var active = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var ended = Stopwatch.GetTimestamp();
            var running = viewer.RunAsync(
                (_, _) => ValueTask.CompletedTask,
                async (_, c) =>
                {
                    await Task.Delay(Timeout.Infinite, c);
                    return 0;
                },
                _ => { },
                onLocalEnd: null,
                onActive: () =>
                {
                    active.TrySetResult();
                    return Task.CompletedTask;
                },
                cancellationToken).ContinueWith(
                t =>
                {
                    ended = Stopwatch.GetTimestamp();
                    return t.Result;
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            await active.Task.WaitAsync(Patience, cancellationToken);

            var start = Stopwatch.GetTimestamp();
            var answer = await bed.Client.LogoutAsync(technician.Token);
            var answered = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (answer.StatusCode is < 200 or >= 300)
            {
                throw new InvalidOperationException($"logout answered {answer.StatusCode}: {answer.Body}");
            }

            var end = await running.WaitAsync(Patience, cancellationToken);
            if (end.Reason != "session_ended")
            {
                throw new InvalidOperationException($"the viewer ended with {end.Code} {end.Reason}, not session_ended (4401)");
            }

            return (Stopwatch.GetElapsedTime(start, ended).TotalMilliseconds, answered);
        }
        finally
        {
            await bed.EndSessionAsync(admin, session);
        }
    }

    private static async Task<double> RevokeRoundAsync(SupportBed bed, int round, CancellationToken cancellationToken)
    {
        var (machine, key) = await bed.EnrollKeyAsync($"revoked {round}", cancellationToken);
        var admin = await bed.AdminAsync();
        using var socket = await ConnectAgentAsync(bed, key, cancellationToken);
        if (socket.State != WebSocketState.Open)
        {
            throw new InvalidOperationException($"the agent's connect was refused ({(int)socket.HttpStatusCode})");
        }

        var buffer = new byte[4096];
        var hello = await socket.ReceiveAsync(buffer, cancellationToken);
        if (hello.MessageType != WebSocketMessageType.Text)
        {
            throw new InvalidOperationException("the agent got no hello");
        }

        var closed = Task.Run(
            async () =>
            {
                while ((await socket.ReceiveAsync(buffer, cancellationToken)).MessageType != WebSocketMessageType.Close)
                {
                }

                return Stopwatch.GetTimestamp();
            },
            CancellationToken.None);
        var start = Stopwatch.GetTimestamp();
        var answer = await bed.Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{machine}/revoke", new System.Text.Json.Nodes.JsonObject(), admin.Token);
        if (answer.StatusCode is < 200 or >= 300)
        {
            throw new InvalidOperationException($"revoke answered {answer.StatusCode}: {answer.Body}");
        }

        var at = await closed.WaitAsync(Patience, cancellationToken);
        if ((int?)socket.CloseStatus != 4401)
        {
            throw new InvalidOperationException($"the agent's socket closed with {(int?)socket.CloseStatus}, not 4401");
        }

        using var again = await ConnectAgentAsync(bed, key, cancellationToken);
        if ((int)again.HttpStatusCode != 401)
        {
            throw new InvalidOperationException($"a reconnect with the revoked key got {(int)again.HttpStatusCode}, not 401");
        }

        return Stopwatch.GetElapsedTime(start, at).TotalMilliseconds;
    }

    private static async Task<ClientWebSocket> ConnectAgentAsync(SupportBed bed, string key, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.AddSubProtocol("keyward-agent.v1");
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        socket.Options.SetRequestHeader("Keyward-Agent-Version", "bench");
        try
        {
            await socket.ConnectAsync(new Uri(bed.Keyward.WebSocketBase, "/agent/v1/connect"), bed.Sockets, cancellationToken);
        }
        catch (WebSocketException) when (socket.HttpStatusCode != 0)
        {
            // Refused: the caller reads the status.
        }

        return socket;
    }

    private static void Report(TextWriter output, SupportBenchSettings settings, List<double> logout, List<double> answered, List<double> revoke)
    {
        string F(double v) => v.ToString("N1", CultureInfo.InvariantCulture);
        var l = Spread.Of(logout);
        var r = Spread.Of(revoke);
        output.WriteLine($"# Revocation latency (issue 11): {settings.Rounds} rounds each");
        output.WriteLine();
        if (settings.Quick)
        {
            output.WriteLine("**--quick: a smoke run, not a measurement.**");
            output.WriteLine();
        }

        output.WriteLine("| from | to | p50 ms | max ms | target ≤ 1 s |");
        output.WriteLine("|---|---|---:|---:|---|");
        output.WriteLine($"| sending `POST /session/logout` | the technician's viewer socket ended (`session_ended`, 4401) | {F(l.P50)} | {F(l.Max)} | {(l.Max <= 1_000 ? "met" : "**not met**")} |");
        output.WriteLine($"| sending `POST /api/admin/machines/{{id}}/revoke` | the agent's socket got Keyward's close (4401) | {F(r.P50)} | {F(r.Max)} | {(r.Max <= 1_000 ? "met" : "**not met**")} |");
        output.WriteLine();
        output.WriteLine($"The logout request itself was answered after {F(Spread.Of(answered).P50)} ms (p50). After each revocation a reconnect with the key was refused 401.");
    }
}
