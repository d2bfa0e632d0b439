using System.Net;
using System.Net.Sockets;
using System.Text;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Agent.Tests.Infrastructure;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Server.Agents;
using Keyward.Server.Http;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ServerConsent = Keyward.Server.Agents.ConsentRequest;

namespace Keyward.Agent.Tests.EndToEnd;

/// <summary>
/// The agent against the real Keyward's side of the socket (<c>AgentLink</c>, driven here as the support slice will
/// drive it): consent, a TCP forward carrying bytes both ways, the allow-list, and a terminal under a PTY, resized.
/// </summary>
public sealed class RealRelayTests
{
    [Fact]
    public async Task Agent_ThroughTheRealLink_AnswersConsentForwardsTcpRefusesOtherPortsAndRunsATerminal()
    {
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var echoPort = ((IPEndPoint)echo.LocalEndpoint).Port;
        _ = EchoOnceAsync(echo);

        await using var keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel });
        using var temp = new TempDirectory("keyward-agent-e2e-");
        var (token, _) = await keyward.Services.GetRequiredService<EnrollmentService>()
            .CreateAsync("relay box", AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid());
        var enrolled = await AgentEnrollment.EnrollAsync(keyward.BaseAddress, keyward.CaFile, token, temp.Combine("state"));
        Assert.True(enrolled.Succeeded, enrolled.Detail);
        var machineId = Guid.Parse(enrolled.State!.MachineId);

        var log = new CapturingLogger();
        var asked = new List<Runtime.ConsentRequest>();
        var options = new AgentRuntimeOptions
        {
            StateDirectory = enrolled.State.Directory,
            Logger = log,
            AllowedPorts = new HashSet<int> { echoPort },
            Consent = (request, _) =>
            {
                lock (asked)
                {
                    asked.Add(request);
                }

                return Task.FromResult(request.Reason == "please");
            },
            Terminal = new TerminalOptions { Shell = "/bin/sh" },
        };
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => new AgentRuntime(options).RunAsync(stop.Token));
        await log.WaitForAsync(AgentEventIds.Connected);
        var link = keyward.Services.GetRequiredService<AgentDirectory>().Find(machineId);
        Assert.NotNull(link);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var session = Guid.NewGuid();

        // Consent: the person's answer reaches Keyward as given.
        Assert.Equal(ConsentAnswer.Accepted, await link.AskConsentAsync(new ServerConsent(session, "alice", "please"), deadline.Token));
        Assert.Equal(ConsentAnswer.Denied, await link.AskConsentAsync(new ServerConsent(session, "alice", "no reason"), deadline.Token));
        Assert.Equal("alice", asked[0].Technician);

        // TCP forward: bytes to the echo server on the machine's loopback and back.
        var opened = await link.OpenStreamAsync(session, new StreamTarget.Tcp(echoPort), deadline.Token);
        Assert.False(opened.Refused, opened.Refusal?.Error.Code);
        var sent = new byte[150_000];
        new Random(5).NextBytes(sent);
        Assert.True(await opened.Value.WriteAsync(sent, deadline.Token));
        var back = await ReadAsync(opened.Value, sent.Length, deadline.Token);
        Assert.Equal(sent, back);

        // A port the agent did not allow: refused by the agent, named by Keyward.
        var refused = await link.OpenStreamAsync(session, new StreamTarget.Tcp(echoPort + 1), deadline.Token);
        Assert.True(refused.Refused);
        Assert.Equal(KeywardErrors.AgentPortNotAllowed.Code, refused.Refusal.Error.Code);

        // Terminal: a login shell under a real PTY.
        var terminal = await link.OpenStreamAsync(session, new StreamTarget.Terminal(120, 40), deadline.Token);
        Assert.False(terminal.Refused, terminal.Refusal?.Error.Code);
        Assert.True(await terminal.Value.WriteAsync(Encoding.UTF8.GetBytes("echo TTY=$(tty) SIZE=$(stty size)\n"), deadline.Token));
        var screen = new StringBuilder();
        while (!System.Text.RegularExpressions.Regex.IsMatch(screen.ToString(), @"SIZE=\d+ \d+")
            && await terminal.Value.ReadAsync((data, _) => { screen.Append(Encoding.UTF8.GetString(data.Span)); return ValueTask.CompletedTask; }, deadline.Token))
        {
        }

        // Once that line has run, a resize from Keyward's side reaches the PTY before the next line does.
        Assert.True(await terminal.Value.ResizeAsync(100, 33));
        Assert.True(await terminal.Value.WriteAsync(Encoding.UTF8.GetBytes("echo RESIZED=$(stty size); exit\n"), deadline.Token));
        while (await terminal.Value.ReadAsync((data, _) => { screen.Append(Encoding.UTF8.GetString(data.Span)); return ValueTask.CompletedTask; }, deadline.Token))
        {
        }

        Assert.Matches(@"TTY=/dev/pts/\d+", screen.ToString());
        Assert.Contains("SIZE=40 120", screen.ToString(), StringComparison.Ordinal);
        Assert.Contains("RESIZED=33 100", screen.ToString(), StringComparison.Ordinal);

        await stop.CancelAsync();
        Assert.Equal(AgentStopReason.Stopped, await running.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    private static async Task<byte[]> ReadAsync(Server.Agents.AgentStream stream, int length, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        while (received.Length < length && await stream.ReadAsync((data, _) => { received.Write(data.Span); return ValueTask.CompletedTask; }, cancellationToken))
        {
        }

        return received.ToArray();
    }

    private static async Task EchoOnceAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        await stream.CopyToAsync(stream);
    }
}
