using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Cli.Support;

namespace Keyward.Cli.Broker;

/// <summary>The enrolled machine: enroll token, <c>agent enroll</c>, <c>agent run</c>, consent, a TCP forward, a terminal.</summary>
internal sealed partial class SupportDemo
{
    private const string Label = "demo-machine";
    private const int ForwardBytes = 256 * 1024;

    private DemoChild? _agent;

    private DemoChild Agent => _agent ?? throw new InvalidOperationException("the enrolled agent is not running");

    /// <summary>Runs the enrolled machine's steps; returns its attended support session (consent given), for the later steps.</summary>
    private async Task<Guid> MachineAsync(DemoEchoServer echo, CancellationToken ct)
    {
        var enrollToken = string.Empty;
        await Step(CreateEnrollToken, async () =>
        {
            var body = new JsonObject { ["label"] = Label, ["policy"] = "attended" };
            var answer = await Client.WithStepUpAsync(_key!, _token, async () => (await Client.PostAsync("/api/admin/enroll-tokens", _token, body, ct).ConfigureAwait(false)).EnsureSuccess(), ct).ConfigureAwait(false);
            enrollToken = answer.Json.GetProperty("enroll_token").GetString() ?? throw new InvalidOperationException("Keyward's answer carried no enroll token.");
        }).ConfigureAwait(false);

        await Step(Enroll, async () =>
        {
            // The token goes in the environment, never on the command line (which the process list shows).
            await using var enroll = DemoChild.Start("keyward agent enroll", ["agent", "enroll", "--server", Origin, "--cacert", _caFile, "--state-dir", _agentState], new Dictionary<string, string> { ["KEYWARD_ENROLL_TOKEN"] = enrollToken });
            var exit = await enroll.WaitForExitAsync(Bound, ct).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException($"keyward agent enroll exited {exit}: {enroll.Tail()}");
            }

            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(Path.Combine(_agentState, "agent.key"));
                if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                {
                    throw new InvalidOperationException($"the agent key file is readable or writable by others ({mode})");
                }

                _report.Note($"agent key saved in {_agentState}, mode {Convert.ToString((int)mode, 8)}");
            }
        }).ConfigureAwait(false);

        var machine = Guid.Empty;
        await Step(RunAgent, async () =>
        {
            _agent = Own(DemoChild.Start("keyward agent run", ["agent", "run", "--state-dir", _agentState, "--allow-port", echo.Port.ToString(CultureInfo.InvariantCulture), "--consent", "prompt"]));
            machine = await WaitOnlineAsync(ct).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var session = Guid.Empty;
        await Step(OpenMachineSession, async () => session = (await OpenSessionAsync(machine, "the printer queue is stuck", ct).ConfigureAwait(false)).Id).ConfigureAwait(false);

        // One viewer socket to the echo through the agent; it waits for consent, then sends the bytes once active.
        var payload = RandomNumberGenerator.GetBytes(ForwardBytes);
        var back = new MemoryStream();
        var allBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = 0;
        Task<ViewerEnd>? forward = null;
        await Step(WaitsForConsent, async () =>
        {
            var viewer = await OpenViewerAsync(session, $"kind=tcp&port={echo.Port}", ct).ConfigureAwait(false);
            forward = viewer.RunAsync(
                (bytes, _) =>
                {
                    back.Write(bytes.Span);
                    if (back.Length >= payload.Length)
                    {
                        allBack.TrySetResult();
                    }

                    return ValueTask.CompletedTask;
                },
                async (buffer, c) =>
                {
                    if (sent < payload.Length)
                    {
                        var n = Math.Min(buffer.Length, payload.Length - sent);
                        payload.AsMemory(sent, n).CopyTo(buffer);
                        sent += n;
                        return n;
                    }

                    await allBack.Task.WaitAsync(c).ConfigureAwait(false);
                    return 0;
                },
                state =>
                {
                    if (state == "waiting_consent")
                    {
                        waiting.TrySetResult();
                    }
                },
                null,
                null,
                ct);
            await AwaitViewerAsync(waiting.Task, forward, "waiting_consent", ct).ConfigureAwait(false);
            if (sent != 0 || back.Length != 0)
            {
                throw new InvalidOperationException("bytes moved before the person at the machine answered");
            }
        }).ConfigureAwait(false);

        await Step(PersonConsents, () => AnswerAsync(Agent, "y", "Allowed.", ct)).ConfigureAwait(false);

        await Step(TcpForward, async () =>
        {
            await AwaitViewerAsync(allBack.Task, forward!, "echo of every byte", ct).ConfigureAwait(false);
            if (!back.ToArray().AsSpan().SequenceEqual(payload))
            {
                throw new InvalidOperationException($"the echo differs: sent {payload.Length} bytes, got {back.Length} back that do not match");
            }

            var end = await forward!.WaitAsync(Bound, ct).ConfigureAwait(false);
            _report.Note($"TCP forward: {payload.Length} random bytes sent and the same {back.Length} back; the viewer ended: {end.Describe()}");
        }).ConfigureAwait(false);

        await Step(Terminal, () => TerminalAsync(session, ct)).ConfigureAwait(false);
        return session;
    }

    /// <summary>The enrolled machine's id once Keyward lists it online (its agent's socket is up).</summary>
    private async Task<Guid> WaitOnlineAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Bound);
        while (true)
        {
            if (Agent.HasExited)
            {
                throw new InvalidOperationException($"keyward agent run exited: {Agent.Tail()}");
            }

            var machines = (await Client.SendAsync(HttpMethod.Get, "/api/admin/machines", token: _token, cancellationToken: ct).ConfigureAwait(false)).EnsureSuccess().Json;
            foreach (var m in machines.EnumerateArray())
            {
                if (m.GetProperty("label").GetString() == Label && m.GetProperty("online").GetBoolean())
                {
                    return m.GetProperty("id").GetGuid();
                }
            }

            try
            {
                await Task.Delay(100, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"the machine was not online within {Bound.TotalSeconds:0} s; the agent said: {Agent.Tail()}");
            }
        }
    }

    /// <summary>The person at <paramref name="agent"/>'s machine reads the prompt and types <paramref name="answer"/>.</summary>
    private async Task AnswerAsync(DemoChild agent, string answer, string outcome, CancellationToken ct)
    {
        var prompt = await agent.WaitForLineAsync(l => l.Contains("asks to connect", StringComparison.Ordinal), Bound, ct).ConfigureAwait(false);
        await agent.WriteLineAsync(answer).ConfigureAwait(false);
        await agent.WaitForLineAsync(l => l == outcome, Bound, ct).ConfigureAwait(false);
        _report.Note($"{agent.Name} asked \"{prompt}\" and was answered {answer}");
    }

    /// <summary>A terminal viewer: the shell on the machine runs one command, its output comes back, then <c>exit</c> ends it.</summary>
    private async Task TerminalAsync(Guid session, CancellationToken ct)
    {
        const string Marker = "kw-demo-42";
        var script = Encoding.UTF8.GetBytes("echo kw-demo-$((6*7))\n");
        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var typed = false;
        var terminal = await OpenViewerAsync(session, "kind=terminal&cols=80&rows=24", ct).ConfigureAwait(false);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Bound);
        var end = await terminal.RunAsync(
            (bytes, _) =>
            {
                // The typed line echoes as "kw-demo-$((6*7))": only the shell's own arithmetic prints the marker.
                output.Append(Encoding.UTF8.GetString(bytes.Span));
                if (output.ToString().Contains(Marker, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }

                return ValueTask.CompletedTask;
            },
            async (buffer, c) =>
            {
                if (!typed)
                {
                    typed = true;
                    script.CopyTo(buffer);
                    return script.Length;
                }

                await seen.Task.WaitAsync(c).ConfigureAwait(false);
                return 0;
            },
            _ => { },
            "exit\n"u8.ToArray(),
            null,
            bound.Token).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (!seen.Task.IsCompleted)
        {
            throw new InvalidOperationException($"the terminal never printed {Marker} ({end.Describe()}); it printed: {Printable(output.ToString())}");
        }

        if (end.Reason != "stream_closed")
        {
            throw new InvalidOperationException($"the shell's exit did not end the stream: {end.Describe()}");
        }

        _report.Note($"terminal: \"echo kw-demo-$((6*7))\" printed {Marker}; exit ended the stream ({end.Reason})");
    }

    private static string Printable(string text) => new([.. text.Where(c => !char.IsControl(c)).TakeLast(200)]);
}
