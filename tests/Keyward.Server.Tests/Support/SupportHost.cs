using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Server.Support;
using Keyward.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Support;

/// <summary>
/// One Keyward on Kestrel (TLS, SQLite, fake clock) for one support test, its first admin signed in, a fake
/// <see cref="IMachinePolicy"/> (the agent plane's machines do not exist yet), and helpers for the support API and
/// viewer sockets. Tokens never appear in assertion messages.
/// </summary>
internal sealed class SupportHost : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private SupportHost(TempDirectory data, KeywardTestHost host, FakeMachines machines, FakeTimeProvider time)
    {
        _data = data;
        Host = host;
        Machines = machines;
        Time = time;
        Client = host.CreateClient();
    }

    /// <summary>The stream a test viewer asks for (docs/remote-support.md, "The viewer socket").</summary>
    public const string ViewerTarget = "kind=tcp&port=22";

    public KeywardTestHost Host { get; }

    public KeywardTestClient Client { get; }

    public FakeMachines Machines { get; }

    public FakeTimeProvider Time { get; }

    public TestSession Admin { get; private set; } = null!;

    public static async Task<SupportHost> StartAsync(Dictionary<string, string>? settings = null)
    {
        var machines = new FakeMachines();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var all = new Dictionary<string, string>
        {
            ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
            ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var data = new TempDirectory("keyward-support-");
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            DataDirectory = data.Path,
            Time = time,
            Settings = all,
            Services = services => services.AddSingleton<IMachinePolicy>(machines),
        });
        var support = new SupportHost(data, host, machines, time);
        await support.Client.RegisterAdminAsync(host.SetupCode!);
        support.Admin = await support.Client.LoginAsync("admin");
        return support;
    }

    /// <summary>Registers a user (invited by the admin) and signs them in with their own key.</summary>
    public async Task<(TestSession Session, Authenticator.VirtualAuthenticator Key)> AddUserAsync(string name, string role = "user")
    {
        var invite = await Client.CreateInviteAsync(Admin.Token, name, role);
        var key = KeywardTestClient.NewKey();
        await Client.RegisterWithInviteAsync(invite, key);
        return (await Client.LoginAsync(name, key), key);
    }

    public Task<KeywardResponse> OpenAsync(TestSession caller, Guid? machine = null, bool? attended = null, string reason = "printer jam")
    {
        var body = new JsonObject { ["reason"] = reason };
        if (machine is { } id)
        {
            body["machine_id"] = id.ToString();
        }

        if (attended is { } a)
        {
            body["attended"] = a;
        }

        return Client.SendAsync(HttpMethod.Post, "/api/support/sessions", body, caller.Token);
    }

    /// <summary>Opens a session (which must open) and returns its id.</summary>
    public async Task<Guid> OpenIdAsync(TestSession caller, Guid? machine = null, bool? attended = null)
    {
        var opened = await OpenAsync(caller, machine, attended);
        Assert.Equal(200, opened.StatusCode);
        return opened.Json.GetProperty("id").GetGuid();
    }

    public Task<KeywardResponse> JoinAsync(TestSession caller, Guid session) =>
        Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/join", new JsonObject(), caller.Token);

    /// <summary>A join token (which must be minted) for that session.</summary>
    public async Task<string> JoinTokenAsync(TestSession caller, Guid session)
    {
        var joined = await JoinAsync(caller, session);
        Assert.Equal(200, joined.StatusCode);
        return joined.Json.GetProperty("join_token").GetString()!;
    }

    /// <summary>A viewer upgrade as plain HTTP, with the credential as Bearer: the refusal's status and code are readable.</summary>
    public Task<KeywardResponse> ProbeViewerAsync(Guid session, string credential) =>
        Client.ProbeUpgradeAsync($"/viewer/v1/sessions/{session}?{ViewerTarget}", origin: null, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential));

    /// <summary>Opens a viewer socket (which must open) with the token in the query, and reads its first status frame.</summary>
    public async Task<ClientWebSocket> OpenViewerAsync(Guid session, string token)
    {
        var (socket, status) = await Client.TryOpenAsync($"/viewer/v1/sessions/{session}?{ViewerTarget}&join={Uri.EscapeDataString(token)}", origin: null);
        Assert.Equal(101, status);
        Assert.Equal(AgentRelay.WaitingAgent, await ReceiveTextAsync(socket!));
        return socket!;
    }

    /// <summary>Reads frames until the server's close; a generous bound so a hang fails instead of blocking (not a latency assertion).</summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Reason)> ExpectCloseAsync(ClientWebSocket socket)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, bound.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // Answer the close, as a well-behaved viewer does, so the server's side ends at once.
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token);
                return (socket.CloseStatus, socket.CloseStatusDescription);
            }
        }
    }

    public static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, bound.Token);
        Assert.Equal(WebSocketMessageType.Text, received.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    /// <summary>Every audit event so far (counted refusals written first).</summary>
    public async Task<List<AuditEvent>> EventsAsync()
    {
        await Host.GetRequiredService<Keyward.Server.Audit.RefusalCounter>().FlushAsync();
        var reader = Host.GetRequiredService<AuditReader>();
        var events = new List<AuditEvent>();
        long? after = null;
        do
        {
            var page = await reader.ListAsync(new AuditQuery { After = after, Limit = AuditQuery.MaxLimit });
            events.AddRange(page.Events);
            after = page.Next;
        }
        while (after is not null);
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
