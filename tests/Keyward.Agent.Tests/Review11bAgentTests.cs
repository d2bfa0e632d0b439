using System.Net;
using System.Net.Sockets;
using Keyward.Agent.Runtime;
using Keyward.Agent.Tests.Infrastructure;

namespace Keyward.Agent.Tests;

/// <summary>
/// Findings of the adversarial review of remote support (review11b) on the agent's side: each test fails until the
/// finding is fixed.
/// </summary>
public sealed class Review11bAgentTests
{
    /// <summary>
    /// Finding 5. The agent does not remember what the person at the machine answered: it opens a stream on any
    /// <c>open</c>, for a session whose consent it just sent as refused (or never asked). The person's "no" is enforced
    /// only by Keyward. An ad-hoc agent is always attended (docs: "ad hoc ... always attended"), so it should refuse to
    /// open anything for a session its person has not accepted; a Keyward that is wrong, compromised, or reached through
    /// a stolen server key then still cannot get past the person.
    /// </summary>
    [Fact]
    public async Task Finding5_AnAdHocAgent_OpensNothingForASessionItsPersonRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var harness = await AgentHarness.StartAsync();
            var socket = await harness.RunAndConnectAsync(o => o with
            {
                StateDirectory = null,
                AdHoc = new AdHocConnection(harness.Keyward.Address, harness.State.CaPath, "abcd-efgh-jkmn"),
                AllowedPorts = new HashSet<int> { port },
                Consent = (_, _) => Task.FromResult(false),
            });

            await socket.SendJsonAsync("""{"type":"consent","request":"r1","session":"s1","technician":"alice","reason":"printer","timeout_seconds":60}""");
            Assert.False((await socket.ExpectAsync("consent_result")).GetProperty("accepted").GetBoolean());

            await socket.SendJsonAsync($$"""{"type":"open","stream":1,"session":"s1","kind":"tcp","port":{{port}}}""");
            var answer = await socket.ReceiveAsync() ?? throw new InvalidOperationException("closed");

            Assert.Equal("open_failed", answer.Json?.GetProperty("type").GetString());
            Assert.False(listener.Pending(), "the agent connected to the machine's port for a session the person refused");
        }
        finally
        {
            listener.Stop();
        }
    }
}
