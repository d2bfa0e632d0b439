using System.Net;
using System.Net.Sockets;
using Keyward.Agent.Enrollment;
using Keyward.Agent.Runtime;
using Keyward.Agent.Tests.Infrastructure;

namespace Keyward.Agent.Tests;

/// <summary>
/// The agent enforces the person's answer itself (review11b finding 5): when every session needs consent (ad hoc, or an
/// enrolled machine whose policy is attended) it opens streams only for sessions its person accepted on this connection,
/// so a Keyward that is wrong, compromised, or reached through a stolen server key still cannot get past the person.
/// </summary>
public sealed class ConsentEnforcementTests
{
    private const string Refused = """{"type":"consent","request":"r1","session":"s1","technician":"alice","reason":"printer","timeout_seconds":60}""";

    [Fact]
    public async Task Open_AnAdHocAgent_OpensNothingForASessionItsPersonRefused()
    {
        await WithListenerAsync(async (listener, port) =>
        {
            await using var harness = await AgentHarness.StartAsync();
            var socket = await harness.RunAndConnectAsync(o => AdHoc(o, harness, port, accept: false));

            await socket.SendJsonAsync(Refused);
            Assert.False((await socket.ExpectAsync("consent_result")).GetProperty("accepted").GetBoolean());

            await socket.SendJsonAsync(Open(1, "s1", port));
            var answer = await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed");

            Assert.Equal("open_failed", answer.Json?.GetProperty("type").GetString());
            Assert.Equal("not_consented", answer.Json?.GetProperty("code").GetString());
            Assert.False(listener.Pending(), "the agent connected to the machine's port for a session the person refused");
        });
    }

    [Fact]
    public async Task Open_AnAdHocAgent_OpensNothingForASessionItsPersonWasNeverAsked()
    {
        await WithListenerAsync(async (listener, port) =>
        {
            await using var harness = await AgentHarness.StartAsync();
            var socket = await harness.RunAndConnectAsync(o => AdHoc(o, harness, port, accept: true));

            await socket.SendJsonAsync(Open(1, "s1", port));

            Assert.Equal("not_consented", (await socket.ExpectAsync("open_failed")).GetProperty("code").GetString());
            Assert.False(listener.Pending(), "the agent connected to the machine's port for a session nobody was asked about");
        });
    }

    [Fact]
    public async Task Open_AnAdHocAgent_OpensOnlyTheSessionItsPersonAccepted()
    {
        await WithListenerAsync(async (listener, port) =>
        {
            await using var harness = await AgentHarness.StartAsync();
            var socket = await harness.RunAndConnectAsync(o => AdHoc(o, harness, port, accept: true));
            await socket.SendJsonAsync(Refused);
            Assert.True((await socket.ExpectAsync("consent_result")).GetProperty("accepted").GetBoolean());

            await socket.SendJsonAsync(Open(1, "s2", port));
            Assert.Equal("not_consented", (await socket.ExpectAsync("open_failed")).GetProperty("code").GetString());

            await socket.SendJsonAsync(Open(2, "s1", port));
            Assert.Equal(2u, (await socket.ExpectAsync("opened")).GetProperty("stream").GetUInt32());
            using var accepted = await listener.AcceptTcpClientAsync();
        });
    }

    [Fact]
    public async Task Open_OnAnAttendedMachine_NeedsItsPersonsYes()
    {
        await WithListenerAsync(async (listener, port) =>
        {
            await using var harness = await AgentHarness.StartAsync();
            var state = await EnrollAsync(harness, "attended");
            Assert.True(state.Attended);
            var socket = await harness.RunAndConnectAsync(o => o with
            {
                StateDirectory = state.Directory,
                AllowedPorts = new HashSet<int> { port },
                Consent = (_, _) => Task.FromResult(true),
            });

            await socket.SendJsonAsync(Open(1, "s1", port));
            Assert.Equal("not_consented", (await socket.ExpectAsync("open_failed")).GetProperty("code").GetString());
            Assert.False(listener.Pending(), "an attended machine's agent connected for a session its person was never asked about");

            await socket.SendJsonAsync(Refused);
            Assert.True((await socket.ExpectAsync("consent_result")).GetProperty("accepted").GetBoolean());
            await socket.SendJsonAsync(Open(2, "s1", port));
            Assert.Equal(2u, (await socket.ExpectAsync("opened")).GetProperty("stream").GetUInt32());
            using var accepted = await listener.AcceptTcpClientAsync();
        });
    }

    [Fact]
    public async Task Open_OnAnUnattendedMachine_OpensWithoutAQuestion()
    {
        await WithListenerAsync(async (listener, port) =>
        {
            await using var harness = await AgentHarness.StartAsync();
            var state = await EnrollAsync(harness, "unattended");
            Assert.False(state.Attended);
            var socket = await harness.RunAndConnectAsync(o => o with { StateDirectory = state.Directory, AllowedPorts = new HashSet<int> { port } });

            await socket.SendJsonAsync(Open(1, "s1", port));

            Assert.Equal(1u, (await socket.ExpectAsync("opened")).GetProperty("stream").GetUInt32());
            using var accepted = await listener.AcceptTcpClientAsync();
        });
    }

    private static AgentRuntimeOptions AdHoc(AgentRuntimeOptions options, AgentHarness harness, int port, bool accept) => options with
    {
        StateDirectory = null,
        AdHoc = new AdHocConnection(harness.Keyward.Address, harness.State.CaPath, "abcd-efgh-jkmn"),
        AllowedPorts = new HashSet<int> { port },
        Consent = (_, _) => Task.FromResult(accept),
    };

    private static string Open(uint stream, string session, int port) =>
        $$"""{"type":"open","stream":{{stream}},"session":"{{session}}","kind":"tcp","port":{{port}}}""";

    // A second enrollment against the same fake, whose answer now carries the machine's policy.
    private static async Task<AgentState> EnrollAsync(AgentHarness harness, string policy)
    {
        harness.Keyward.EnrollAnswer = (200, $$"""{"machine_id":"m_{{policy}}","agent_key":"kwa_TESTKEYtestkey0123456789abcdefABCDEF","label":"box","policy":"{{policy}}"}""");
        var result = await AgentEnrollment.EnrollAsync(harness.Keyward.Address, harness.State.CaPath, "kwe_ENROLLtoken", harness.Temp.Combine(policy));
        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(policy, AgentState.Load(result.State!.Directory).Policy);
        return result.State;
    }

    private static async Task WithListenerAsync(Func<TcpListener, int, Task> test)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            await test(listener, ((IPEndPoint)listener.LocalEndpoint).Port);
        }
        finally
        {
            listener.Stop();
        }
    }
}
