using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Approvals;

/// <summary>
/// One Keyward (in process, SQLite, fake clock) for one approvals test: its first admin signed in, helpers to add
/// approvers with virtual keys, create policies (admin step-up), propose, and vote with a real WebAuthn assertion over
/// the challenge <c>vote/begin</c> answers.
/// </summary>
internal sealed class ApprovalHost : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private ApprovalHost(TempDirectory data, KeywardTestHost host, FakeTimeProvider time)
    {
        _data = data;
        Host = host;
        Time = time;
        Client = host.CreateClient();
    }

    public KeywardTestHost Host { get; }

    public KeywardTestClient Client { get; }

    public FakeTimeProvider Time { get; }

    public TestSession Admin { get; private set; } = null!;

    public static async Task<ApprovalHost> StartAsync(Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        var data = new TempDirectory("keyward-approvals-");
        var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            DataDirectory = data.Path,
            Time = time,
            Services = services,
            Settings = new Dictionary<string, string>
            {
                ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
                ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",
            },
        });
        var approvals = new ApprovalHost(data, host, time);
        await approvals.Client.RegisterAdminAsync(host.SetupCode!);
        approvals.Admin = await approvals.Client.LoginAsync("admin");
        return approvals;
    }

    /// <summary>An account (invited by the admin) signed in with its own key.</summary>
    public async Task<Approver> AddApproverAsync(string name, VirtualAuthenticatorOptions? key = null)
    {
        var invite = await Client.CreateInviteAsync(Admin.Token, name, "user");
        var authenticator = KeywardTestClient.NewKey(key);
        await Client.RegisterWithInviteAsync(invite, authenticator);
        var session = await Client.LoginAsync(name, authenticator);
        return new Approver(name, session, authenticator);
    }

    /// <summary>Creates a policy as the admin (after an admin step-up): one group per entry.</summary>
    public async Task<KeywardResponse> CreatePolicyAsync(string name, string[] kinds, (string Group, int Threshold, Approver[] Approvers)[] groups, bool allowSynced = false)
    {
        await Client.StepUpAsync(Admin.Token, "admin");
        var body = new JsonObject
        {
            ["name"] = name,
            ["kinds"] = new JsonArray([.. kinds.Select(k => (JsonNode)k)]),
            ["groups"] = new JsonArray([.. groups.Select(g => (JsonNode)new JsonObject
            {
                ["name"] = g.Group,
                ["threshold"] = g.Threshold,
                ["approvers"] = new JsonArray([.. g.Approvers.Select(a => (JsonNode)a.Name)]),
            })]),
            ["allow_synced_passkeys"] = allowSynced,
        };
        return await Client.PostAsync("/api/approvals/policies", body, Admin.Token);
    }

    /// <summary>Creates a policy that must be created; returns its id.</summary>
    public async Task<Guid> PolicyAsync(string name, string[] kinds, (string Group, int Threshold, Approver[] Approvers)[] groups, bool allowSynced = false)
    {
        var created = await CreatePolicyAsync(name, kinds, groups, allowSynced);
        Assert.Equal(200, created.StatusCode);
        return created.Json.GetProperty("id").GetGuid();
    }

    public Task<KeywardResponse> ProposeAsync(TestSession by, string kind, string target, Dictionary<string, string> parameters) =>
        Client.PostAsync("/api/approvals", new JsonObject
        {
            ["kind"] = kind,
            ["target"] = target,
            ["parameters"] = new JsonObject([.. parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        }, by.Token);

    /// <summary>Proposes an operation that must be accepted; returns the request id.</summary>
    public async Task<Guid> ProposeIdAsync(TestSession by, string kind, string target, Dictionary<string, string> parameters)
    {
        var proposed = await ProposeAsync(by, kind, target, parameters);
        Assert.Equal(200, proposed.StatusCode);
        return proposed.Json.GetProperty("id").GetGuid();
    }

    /// <summary>The assertion (WebAuthn JSON) <paramref name="key"/> makes over the options <c>vote/begin</c> gives <paramref name="session"/> for <paramref name="request"/>.</summary>
    public async Task<string> SignAsync(TestSession session, VirtualAuthenticator key, Guid request)
    {
        var begun = await Client.PostAsync($"/api/approvals/{request}/vote/begin", token: session.Token);
        Assert.Equal(200, begun.StatusCode);
        return key.GetAssertion(begun.Json.GetProperty("public_key").GetRawText(), Client.Origin);
    }

    public Task<KeywardResponse> FinishAsync(TestSession session, Guid request, string assertion) =>
        Client.PostAsync($"/api/approvals/{request}/vote/finish", new JsonObject { ["credential"] = JsonNode.Parse(assertion) }, session.Token);

    /// <summary>Begin, sign with the approver's key, finish.</summary>
    public async Task<KeywardResponse> VoteAsync(Approver approver, Guid request, VirtualAuthenticator? key = null) =>
        await FinishAsync(approver.Session, request, await SignAsync(approver.Session, key ?? approver.Key, request));

    public Task<KeywardResponse> ShowAsync(TestSession session, Guid request) => Client.GetAsync($"/api/approvals/{request}", session.Token);

    public async Task<string> AccountIdAsync(string name) =>
        (await Host.GetRequiredService<Keyward.Core.Accounts.AccountService>().FindAccountAsync(name))!.Id.ToString();

    /// <summary>Every audit event so far.</summary>
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
