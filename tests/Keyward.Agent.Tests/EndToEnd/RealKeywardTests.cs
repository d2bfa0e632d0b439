using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Agent.Tests.Infrastructure;
using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Agent.Tests.EndToEnd;

/// <summary>The agent against the real Keyward (Kestrel, TLS from its local CA, SQLite): enroll, connect, revoke.</summary>
public sealed class RealKeywardTests
{
    [Fact]
    public async Task Agent_EnrollsConnectsAndStopsForGoodWhenItsKeyIsRevoked()
    {
        await using var keyward = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { Transport = KeywardTransport.Kestrel });
        using var temp = new TempDirectory("keyward-agent-e2e-");
        var enrollments = keyward.Services.GetRequiredService<EnrollmentService>();
        var (token, _) = await enrollments.CreateAsync("e2e box", AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid());

        // Enroll: the real endpoint consumes the token once; a second use is refused with its code.
        var enrolled = await AgentEnrollment.EnrollAsync(keyward.BaseAddress, keyward.CaFile, token, temp.Combine("state"));
        Assert.True(enrolled.Succeeded, enrolled.Detail);
        Assert.True(Guid.TryParse(enrolled.State!.MachineId, out var machineId));
        Assert.Equal("e2e box", enrolled.State.Label);
        var again = await AgentEnrollment.EnrollAsync(keyward.BaseAddress, keyward.CaFile, token, temp.Combine("state2"));
        Assert.Equal(401, again.Status);
        Assert.Equal("enroll_token_consumed", again.Code);

        // Connect with the key: Keyward says hello.
        var log = new CapturingLogger();
        var options = new AgentRuntimeOptions
        {
            StateDirectory = enrolled.State.Directory,
            Logger = log,
            Backoff = new BackoffOptions { Initial = TimeSpan.FromMilliseconds(50), Max = TimeSpan.FromMilliseconds(200) },
        };
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => new AgentRuntime(options).RunAsync(stop.Token));
        await log.WaitForAsync(AgentEventIds.Connected);

        // Revoke: Keyward closes the socket with 4401 and the agent stops without reconnecting.
        Assert.True(await keyward.Services.GetRequiredService<MachineService>().RevokeKeyAsync(machineId, Tenants.Default));
        Assert.Equal(AgentStopReason.KeyRevoked, await running.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, log.Lines.Count(l => l.EventId == AgentEventIds.Connecting));

        // A later start with the revoked key is refused at the upgrade (401) and stops at once, too.
        var restarted = new CapturingLogger();
        Assert.Equal(AgentStopReason.KeyRevoked, await new AgentRuntime(options with { Logger = restarted }).RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, restarted.Lines.Count(l => l.EventId == AgentEventIds.Connecting));
        Assert.DoesNotContain("kwa_", log.All + restarted.All, StringComparison.Ordinal);
    }
}
