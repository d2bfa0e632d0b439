using System.CommandLine;
using Keyward.Cli;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Server.Agents;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ServerConsent = Keyward.Server.Agents.ConsentRequest;

namespace Keyward.Agent.Tests.EndToEnd;

/// <summary><c>keyward agent enroll</c> and <c>keyward agent run</c> against the real Keyward, as an operator types them.</summary>
public sealed class RealCliTests
{
    [Fact]
    public async Task EnrollThenRun_AgainstRealKeyward_ConnectsAndAnswersConsentAsScripted()
    {
        await using var keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel });
        using var temp = new TempDirectory("keyward-agent-cli-e2e-");
        var (token, _) = await keyward.Services.GetRequiredService<EnrollmentService>()
            .CreateAsync("cli box", AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid());
        var state = temp.Combine("state");

        var enroll = await RunAsync(CancellationToken.None, "agent", "enroll", "--server", keyward.BaseAddress.ToString(), "--cacert", keyward.CaFile, "--token", token, "--state-dir", state);
        Assert.Equal(0, enroll.Code);
        Assert.Contains("(cli box)", enroll.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, enroll.Output + enroll.Error, StringComparison.Ordinal);

        var reused = await RunAsync(CancellationToken.None, "agent", "enroll", "--server", keyward.BaseAddress.ToString(), "--cacert", keyward.CaFile, "--token", token, "--state-dir", temp.Combine("other"));
        Assert.Equal(1, reused.Code);
        Assert.Contains("401 enroll_token_consumed", reused.Error, StringComparison.Ordinal);

        using var stop = new CancellationTokenSource();
        var run = RunAsync(stop.Token, "agent", "run", "--state-dir", state, "--consent", "accept");
        var machineId = Guid.Parse(Keyward.Agent.Enrollment.AgentState.Load(state).MachineId);
        var directory = keyward.Services.GetRequiredService<AgentDirectory>();
        AgentLink? link;
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            // The socket is up once Keyward lists the machine's link and has sent hello (polled: the CLI exposes no
            // event). Waiting for hello matters: Keyward lists the link before it sends hello, and the agent closes
            // with 1008 on anything that comes before hello (docs/remote-support.md, "The agent end").
            while ((link = directory.Find(machineId)) is null || link.BytesToAgent == 0)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        Assert.Equal(ConsentAnswer.Accepted, await link.AskConsentAsync(new ServerConsent(Guid.NewGuid(), "alice", "checking"), CancellationToken.None));
        await stop.CancelAsync();
        Assert.Equal(0, (await run.WaitAsync(TimeSpan.FromSeconds(60))).Code);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeywardCommandLine.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
