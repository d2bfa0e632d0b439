using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Agents;

/// <summary>
/// One Keyward on Kestrel (TLS, SQLite, fake clock) with a signed-in admin, for the agent plane's tests: mints enroll
/// tokens through the admin API, enrolls machines through <c>/agent/v1/enroll</c> and connects raw test agents.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes fixtures through IAsyncLifetime.DisposeAsync.")]
public class AgentHost : IAsyncLifetime
{
    private readonly TempDirectory _data = new("keyward-agents-");
    private long? _cursor;
    private int _labels;

    internal KeywardTestHost Host { get; private set; } = null!;

    internal KeywardTestClient Client { get; private set; } = null!;

    internal FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>Settings beyond the defaults, for fixtures that need others.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Keyward:Agents:EnrollPerAddressPerMinute"] = "10000",
        ["Keyward:Agents:StreamQueueBytes"] = "65536",
        ["Keyward:Agents:MaxFrameBytes"] = "16384",
        ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
    };

    public async Task InitializeAsync()
    {
        Host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            DataDirectory = _data.Path,
            Time = Time,
            Settings = Settings,
        });
        Client = Host.CreateClient();
        await Client.RegisterAdminAsync(Host.SetupCode!);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        _data.Dispose();
    }

    /// <summary>A fresh admin session with a fresh admin step-up (the fake clock may have moved past earlier ones).</summary>
    internal async Task<TestSession> AdminAsync()
    {
        var admin = await Client.LoginAsync("admin");
        await Client.StepUpAsync(admin.Token, "admin");
        return admin;
    }

    /// <summary>Creates an enroll token through the admin API.</summary>
    internal async Task<string> MintEnrollTokenAsync(string? label = null, string policy = "attended", JsonObject? joiners = null)
    {
        var admin = await AdminAsync();
        var body = new JsonObject { ["label"] = label ?? $"machine {Interlocked.Increment(ref _labels)}", ["policy"] = policy };
        if (joiners is not null)
        {
            body["joiners"] = joiners;
        }

        var response = await Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", body, admin.Token);
        ProblemAssert.Ok(response);
        return response.GetString("enroll_token");
    }

    /// <summary>POST /agent/v1/enroll with <paramref name="token"/> as Bearer (sent raw) and an optional body.</summary>
    internal Task<KeywardResponse> EnrollAsync(string token, JsonObject? body = null) =>
        Client.SendAsync(HttpMethod.Post, "/agent/v1/enroll", body ?? new JsonObject { ["hostname"] = "test-host", ["version"] = "1.0.0" }, configure: Bearer(token));

    /// <summary>A newly enrolled machine: its id and agent key.</summary>
    internal async Task<(Guid MachineId, string Key)> EnrollMachineAsync(string? label = null, string policy = "attended")
    {
        var response = await EnrollAsync(await MintEnrollTokenAsync(label, policy));
        ProblemAssert.Ok(response);
        return (Guid.Parse(response.GetString("machine_id")), response.GetString("agent_key"));
    }

    /// <summary>Connects a raw test agent with <paramref name="key"/>; it has read <c>hello</c>.</summary>
    internal async Task<TestAgent> ConnectAsync(string key)
    {
        var (agent, status) = await TryConnectAsync(key);
        Assert.True(agent is not null, $"the agent's connect was refused with {status}");
        await agent.ReadHelloAsync();
        return agent;
    }

    /// <summary>Tries a connect; the refusal's status when refused.</summary>
    internal async Task<(TestAgent? Agent, int Status)> TryConnectAsync(string key, string subProtocol = "keyward-agent.v1")
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        socket.Options.SetRequestHeader("Keyward-Agent-Version", "1.2.3");
        socket.Options.AddSubProtocol(subProtocol);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        Host.ConfigureWebSocket(socket.Options);
        try
        {
            await socket.ConnectAsync(new Uri(Host.WebSocketBase, "/agent/v1/connect"), CancellationToken.None);
            return (new TestAgent(socket), 101);
        }
        catch (WebSocketException)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            return (null, status);
        }
    }

    /// <summary>A WebSocket handshake to the connect endpoint as plain HTTP, so a refusal's problem can be read.</summary>
    internal Task<KeywardResponse> ProbeConnectAsync(string credential, string subProtocol = "keyward-agent.v1") =>
        Client.ProbeUpgradeAsync("/agent/v1/connect", origin: null, configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
            r.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", subProtocol);
        });

    /// <summary>The audit events since the last call (counted refusals written first).</summary>
    internal async Task<List<AuditEvent>> NewEventsAsync()
    {
        await Host.GetRequiredService<RefusalCounter>().FlushAsync();
        var reader = Host.GetRequiredService<AuditReader>();
        var events = new List<AuditEvent>();
        var after = _cursor;
        do
        {
            var page = await reader.ListAsync(new AuditQuery { After = after, Limit = AuditQuery.MaxLimit });
            events.AddRange(page.Events);
            after = page.Next;
        }
        while (after is not null);

        _cursor = events.Count > 0 ? events[^1].Sequence : _cursor;
        return events;
    }

    internal static Action<HttpRequestMessage> Bearer(string credential) =>
        r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
}
