using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Client;
using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Core.Quorum;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Server.Assertions;
using Keyward.Server.Audit;
using Keyward.Server.Support;
using Keyward.Server.Tests.Capabilities;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Server.WebSockets;
using Keyward.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Keyward.Server.Tests.Matrix;

/// <summary>
/// One Keyward (Kestrel, TLS, SQLite, fake clock) for the whole matrix, with a credential of every kind in every form
/// made once at start: the expired ones are issued, then the clock moves past their lifetimes before the live ones are
/// issued. Single-use credentials are minted afresh for each cell that needs a live one.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes fixtures through IAsyncLifetime.DisposeAsync, which disposes the folder.")]
public sealed class MatrixHost : IAsyncLifetime
{
    /// <summary>The browser route's host (every path of it).</summary>
    public const string AppHost = "app.localhost";

    private const string SessionCookie = "__Host-keyward-session";
    private const string PreCookie = "__Host-keyward-pre";
    private const string AppCookieName = "__Host-keyward-app";

    /// <summary>The one secret of the vault plane, kept for <see cref="ServiceActor"/> (a <c>memory</c> secret).</summary>
    public const string VaultPath = "matrix/x";

    private readonly TempDirectory _data = new("keyward-matrix-");
    private readonly string _kekVariable = "KEYWARD_TEST_MATRIX_KEK_" + Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, string> _verifiers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _setupNames = new(StringComparer.Ordinal);
    private EchoUpstream? _echo;
    private long? _cursor;
    private int _invites;
    private Guid _adminId;

    internal KeywardTestHost Host { get; private set; } = null!;

    internal KeywardTestClient Client { get; private set; } = null!;

    internal FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>The setup code's registration of the first admin: the setup plane's diagonal, exercised once at start.</summary>
    internal global::Keyward.Client.Registration SetupRegistration { get; private set; } = null!;

    internal string SpentSetupCode { get; private set; } = null!;

    internal TestSession Admin { get; private set; } = null!;

    internal string RecoveryCode { get; private set; } = null!;

    internal string AppCookie { get; private set; } = null!;

    /// <summary>A live agent key (each connect with it replaces the previous one: 4409).</summary>
    internal string AgentKey { get; private set; } = null!;

    /// <summary>A live service key (<c>kwv_</c>).</summary>
    internal string ServiceKey { get; private set; } = null!;

    /// <summary>The service identity of <see cref="ServiceKey"/>, whose scope allows reading and writing <c>memory</c> under <c>matrix/</c>.</summary>
    internal Guid ServiceActor { get; private set; }

    /// <summary>The admin's live ad-hoc support session, whose viewer socket is the viewer plane.</summary>
    internal Guid SupportSession { get; private set; }

    /// <summary>Credentials of each kind past their lifetime, by kind name.</summary>
    internal Dictionary<string, string> Expired { get; } = [];

    /// <summary>Credentials of each kind that were ended (logged out, spent, used), by kind name.</summary>
    internal Dictionary<string, string> Revoked { get; } = [];

    internal string AppOrigin => $"https://{AppHost}:{Host.Port}";

    public async Task InitializeAsync()
    {
        _echo = await EchoUpstream.StartAsync();
        Environment.SetEnvironmentVariable(_kekVariable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var upstream = _echo.Address.ToString();
        Host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            Transport = KeywardTransport.Kestrel,
            DataDirectory = _data.Path,
            Time = Time,
            Settings = new Dictionary<string, string>
            {
                ["Keyward:SignIn:PerAddressPerMinute"] = "100000",
                ["Keyward:SignIn:FailuresBeforeBackoff"] = "100000",

                // Every cell of the setup plane is a wrong guess: room for all of them in the global bucket (item 12).
                ["Keyward:SignIn:SetupCodeFailuresPerMinute"] = "600",

                // Every cell of the agent-enroll plane is an attempt from loopback.
                ["Keyward:Agents:EnrollPerAddressPerMinute"] = "10000",
                ["Keyward:Support:CodeChecksPerAddressPerMinute"] = "600",
                ["Keyward:Support:CodeFailuresPerMinute"] = "6000",

                // Every refused kwj_ cell is a failed join from loopback.
                ["Keyward:Support:JoinFailuresPerAddressPerMinute"] = "600",
                ["Keyward:Support:MaxSessionsPerAccount"] = "1000",

                // Every kwj_ cell mints a fresh join token of one sign-in for one support session, most never used.
                ["Keyward:Support:MaxUnusedJoinTokens"] = "100",
                ["Keyward:Routes:echo:Path"] = "/echo/{**rest}",
                ["Keyward:Routes:echo:Upstream"] = upstream,
                ["Keyward:Routes:sockets:Path"] = "/sockets/{**rest}",
                ["Keyward:Routes:sockets:Upstream"] = upstream,
                ["Keyward:Routes:sockets:WebSocket:Enabled"] = "true",
                ["Keyward:Routes:internal:Path"] = "/internal/{**rest}",
                ["Keyward:Routes:internal:Upstream"] = upstream,
                ["Keyward:Routes:internal:Internal"] = "true",
                ["Keyward:Routes:internal:WebSocket:Enabled"] = "true",
                ["Keyward:Routes:app:Host"] = AppHost,
                ["Keyward:Routes:app:Upstream"] = upstream,

                // The vault plane: a test KEK for epoch 1.
                ["Keyward:Vault:Keys:1:Environment"] = _kekVariable,
            },
        });
        Client = Host.CreateClient();

        // The setup plane's diagonal: the first admin registers with the setup code, which is then spent.
        SpentSetupCode = Host.SetupCode!;
        SetupRegistration = await Client.RegisterAdminAsync(SpentSetupCode);
        RecoveryCode = SetupRegistration.RecoveryCodes![0];

        // Issued now, expired once the clock moves a day and a bit on.
        var early = await Client.LoginAsync("admin");
        Expired["kws_"] = early.Token;
        Expired["kwt_"] = await Client.TicketAsync(early, "sockets");
        Expired["kwp_"] = await SignInToAppAsync(early);
        Expired["kwh_"] = (await IssueHandoffAsync(early)).Code;
        await Client.StepUpAsync(early.Token, "admin");
        Expired["kwi_"] = await Client.CreateInviteAsync(early.Token, "late", "user");

        // An expired setup code: a break-glass code (keyward admin recover) of a second account, for SignIn:SetupCodeLifetime.
        // Another account's than the live ones (the admin's): a new code of an account voids its earlier one.
        await Client.RegisterWithInviteAsync(await Client.CreateInviteAsync(early.Token, "glass", "user"), KeywardTestClient.NewKey());
        Expired["setup code"] = await IssueSetupCodeAsync("glass");

        // An identity assertion of the early session (Assertions:Lifetime is at most 60 s).
        Expired["assertion"] = Host.GetRequiredService<AssertionIssuer>().Issue((await Host.GetRequiredService<SessionService>().CheckAsync(early.Token)).Session!, "echo");
        Expired["kwe_"] = await MintEnrollTokenAsync(early.Token);
        var (earlySupport, earlyCode) = await OpenSupportSessionAsync(early);
        Expired["kwj_"] = await JoinAsync(early, earlySupport);
        Expired["support code"] = earlyCode;

        // The vault plane: a service identity with one scope (granted by the admin's 1-of-1 quorum), its secret, and
        // a capability for it that will be long expired.
        (ServiceActor, ServiceKey) = await CreateServiceAsync(early.Token, "matrix");
        await GrantMemoryScopeAsync(early.Token, ServiceActor);
        var written = await Client.SendAsync(HttpMethod.Put, $"/vault/v1/memory/actors/{ServiceActor}/secrets/{VaultPath}", new JsonObject { ["value_base64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("matrix")) }, await MintCapabilityAsync("write"));
        ProblemAssert.Ok(written);
        Expired["capability"] = await MintCapabilityAsync();
        Time.Advance(TimeSpan.FromHours(25));

        Admin = await Client.LoginAsync("admin");

        // A replaced recovery code: the admin's codes are regenerated (before the admin step-up, which the rest needs).
        await Client.StepUpAsync(Admin.Token, "recovery.regenerate");
        var regenerated = await Client.PostAsync("/api/account/recovery-codes", token: Admin.Token);
        ProblemAssert.Ok(regenerated);
        Revoked["recovery code"] = RecoveryCode;
        RecoveryCode = regenerated.Json.GetProperty("recovery_codes")[0].GetString()!;
        await Client.StepUpAsync(Admin.Token, "admin");
        AppCookie = await SignInToAppAsync(Admin);
        string spentCode;
        (SupportSession, spentCode) = await OpenSupportSessionAsync(Admin);
        Assert.True((await Host.GetRequiredService<SupportCodeBinder>().BindAsync(spentCode, System.Net.IPAddress.Loopback, CancellationToken.None)).Value is not null);
        Revoked["support code"] = spentCode;

        // Ended ones: a logged-out session and its app cookie, a spent ticket and handoff code, a used invite.
        var ended = await Client.LoginAsync("admin");
        Revoked["kwp_"] = await SignInToAppAsync(ended);
        Revoked["kwt_"] = await Client.TicketAsync(ended, "sockets");
        ProblemAssert.Problem(await Client.ProbeUpgradeAsync($"/sockets/x?ticket={Revoked["kwt_"]}", origin: "https://elsewhere.example"), 403, "origin_mismatch");
        var spent = await IssueHandoffAsync(ended);
        Revoked["kwh_"] = spent.Code;
        Assert.Equal(302, (await RedeemAsync(spent.Code, spent.Verifier)).StatusCode);
        Revoked["kws_"] = ended.Token;

        // A join token minted by a sign-in that then logged out (issue 11: logout revokes the join tokens it minted).
        Revoked["kwj_"] = await JoinAsync(ended, SupportSession);
        ProblemAssert.Ok(await Client.LogoutAsync(ended.Token));
        Revoked["kwi_"] = await MintInviteAsync();
        await Client.RegisterWithInviteAsync(Revoked["kwi_"], KeywardTestClient.NewKey());
        Revoked["setup code"] = SpentSetupCode;

        // The agent plane: a spent enroll token; a live agent key, and one whose key an admin revoked.
        Revoked["kwe_"] = await MintEnrollTokenAsync(Admin.Token);
        ProblemAssert.Ok(await EnrollAsync(Revoked["kwe_"]));
        AgentKey = (await EnrollAsync(await MintEnrollTokenAsync(Admin.Token))).GetString("agent_key");
        var revoked = await EnrollAsync(await MintEnrollTokenAsync(Admin.Token));
        Revoked["kwa_"] = revoked.GetString("agent_key");
        ProblemAssert.Ok(await Client.SendAsync(HttpMethod.Post, $"/api/admin/machines/{revoked.GetString("machine_id")}/revoke", new System.Text.Json.Nodes.JsonObject(), Admin.Token), 204);

        // The actor plane: a live service key (above), and one whose identity an admin revoked.
        var (revokedService, revokedKey) = await CreateServiceAsync(Admin.Token, "matrix revoked");
        Revoked["kwv_"] = revokedKey;
        ProblemAssert.Ok(await Client.SendAsync(HttpMethod.Post, $"/api/admin/actors/{revokedService}/revoke", new System.Text.Json.Nodes.JsonObject(), Admin.Token), 204);

        // A capability of another service identity whose scope an admin then revoked (the scope nonce moved on).
        var (narrowed, narrowedKey) = await CreateServiceAsync(Admin.Token, "matrix scope revoked");
        var scope = await GrantMemoryScopeAsync(Admin.Token, narrowed);
        Revoked["capability"] = await MintCapabilityAsync("read", narrowedKey);
        ProblemAssert.Ok(await Client.SendAsync(HttpMethod.Post, $"/api/admin/scopes/{scope}/revoke", new System.Text.Json.Nodes.JsonObject(), Admin.Token), 204);
        await NewEventsAsync();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (_echo is not null)
        {
            await _echo.DisposeAsync();
        }

        _data.Dispose();
        Environment.SetEnvironmentVariable(_kekVariable, null);
    }

    /// <summary>
    /// A fresh live setup code: a break-glass code of the admin (as <c>keyward admin recover</c> issues), for
    /// SignIn:SetupCodeLifetime. The first admin's setup code is live only until the first admin registers (the fixture's
    /// start); a break-glass code is presented in the same field, checked by the same plane, and can be issued at any time.
    /// </summary>
    internal Task<string> MintSetupCodeAsync() => IssueSetupCodeAsync("admin");

    /// <summary>The username to register with <paramref name="code"/>: its account's for a code minted here, else <c>root</c>.</summary>
    internal string SetupNameFor(string code) => _setupNames.GetValueOrDefault(code, "root");

    private async Task<string> IssueSetupCodeAsync(string account)
    {
        Guid id;
        await using (var db = Host.GetRequiredService<KeywardDatabase>().CreateContext())
        {
            id = await db.Accounts.Where(a => a.Name == account).Select(a => a.Id).SingleAsync();
        }

        var lifetime = Host.GetRequiredService<Microsoft.Extensions.Options.IOptions<Keyward.Server.Sessions.SignInOptions>>().Value.SetupCodeLifetime;
        var code = await Host.GetRequiredService<Keyward.Core.Accounts.AccountService>().IssueBreakGlassCodeAsync(id, lifetime);
        _setupNames[code] = account;
        return code;
    }

    /// <summary>A fresh WebSocket ticket of the admin for the <c>sockets</c> route.</summary>
    internal Task<string> MintTicketAsync() => Client.TicketAsync(Admin, "sockets");

    /// <summary>A fresh support code (of a new ad-hoc session of the admin).</summary>
    internal async Task<string> MintSupportCodeAsync() => (await OpenSupportSessionAsync(Admin)).Code;

    /// <summary>A fresh join token of the admin for <see cref="SupportSession"/>.</summary>
    internal Task<string> MintJoinAsync() => JoinAsync(Admin, SupportSession);

    /// <summary>A fresh handoff code for the app host (its browser verifier is kept for the callback).</summary>
    internal async Task<string> MintHandoffAsync() => (await IssueHandoffAsync(Admin)).Code;

    /// <summary>A fresh invite.</summary>
    internal Task<string> MintInviteAsync() => Client.CreateInviteAsync(Admin.Token, $"user{Interlocked.Increment(ref _invites)}", "user");

    /// <summary>A fresh enroll token of the admin (whose step-up is within its window).</summary>
    internal Task<string> MintEnrollTokenAsync() => MintEnrollTokenAsync(Admin.Token);

    /// <summary>POST /agent/v1/enroll with <paramref name="credential"/> as Bearer, sent raw.</summary>
    internal Task<KeywardResponse> EnrollAsync(string credential) =>
        Client.SendAsync(HttpMethod.Post, "/agent/v1/enroll", new System.Text.Json.Nodes.JsonObject(), configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential));

    /// <summary>The agent socket's handshake with <paramref name="credential"/> as Bearer, as plain HTTP.</summary>
    internal Task<KeywardResponse> ConnectAgentAsync(string credential) =>
        Client.ProbeUpgradeAsync("/agent/v1/connect", origin: null, configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential);
            r.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", "keyward-agent.v1");
        });

    /// <summary>A fresh capability of <see cref="ServiceActor"/> (or of the actor of <paramref name="key"/>) for <see cref="VaultPath"/>.</summary>
    internal async Task<string> MintCapabilityAsync(string operation = "read", string? key = null)
    {
        var minted = await Client.SendAsync(HttpMethod.Post, "/actor/v1/capabilities", new JsonObject { ["operation"] = operation, ["data_class"] = "memory", ["path"] = VaultPath }, configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (key ?? ServiceKey)));
        ProblemAssert.Ok(minted);
        return minted.GetString("capability");
    }

    /// <summary>A capability with a live one's header and claims, signed by a P-256 key Keyward never had.</summary>
    internal async Task<string> ForgeCapabilityAsync()
    {
        var parts = (await MintCapabilityAsync()).Split('.');
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = other.SignData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), HashAlgorithmName.SHA256);
        return $"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>GET the vault plane's secret with <paramref name="credential"/> as Bearer, sent raw.</summary>
    internal Task<KeywardResponse> ReadSecretAsync(string credential) =>
        Client.GetAsync($"/vault/v1/memory/actors/{ServiceActor}/secrets/{VaultPath}", configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + credential));

    private async Task<(Guid Id, string Key)> CreateServiceAsync(string adminToken, string label)
    {
        var response = await Client.SendAsync(HttpMethod.Post, "/api/admin/actors", new System.Text.Json.Nodes.JsonObject { ["label"] = label }, adminToken);
        ProblemAssert.Ok(response);
        return (Guid.Parse(response.GetString("id")), response.GetString("service_key"));
    }

    // Proposed through the admin API and approved by the admin's key under a 1-of-1 policy (made on first use).
    private async Task<Guid> GrantMemoryScopeAsync(string adminToken, Guid actor)
    {
        if (_adminId == Guid.Empty)
        {
            await using (var db = Host.GetRequiredService<KeywardDatabase>().CreateContext())
            {
                _adminId = await db.Accounts.Where(a => a.Name == "admin").Select(a => a.Id).SingleAsync();
            }

            var created = await new ApprovalPolicyService(Host.GetRequiredService<KeywardDatabase>(), Time).CreateAsync(new ApprovalPolicyDraft
            {
                Name = "matrix scopes",
                Kinds = [OperationKind.GrantScope],
                Groups = [new("owners", 1, [_adminId])],
            });
            Assert.True(created.Succeeded, created.Failure?.ToString());
        }

        var proposed = await Client.SendAsync(HttpMethod.Post, "/api/admin/scopes", new JsonObject
        {
            ["actor_id"] = actor.ToString(),
            ["actor_kind"] = "service",
            ["operations"] = new JsonArray("read", "write"),
            ["data_classes"] = new JsonArray("memory"),
            ["prefixes"] = new JsonArray("matrix/"),
        }, adminToken);
        ProblemAssert.Ok(proposed, 202);
        await QuorumVotes.ApproveAsync(Host, Client, _adminId, Guid.Parse(proposed.GetString("request_id")));
        var scopes = await Host.GetRequiredService<ScopeService>().ListAsync(Tenants.Default, actor);
        return Assert.Single(scopes).Id;
    }

    private async Task<string> MintEnrollTokenAsync(string adminToken)
    {
        var response = await Client.SendAsync(HttpMethod.Post, "/api/admin/enroll-tokens", new System.Text.Json.Nodes.JsonObject { ["label"] = "matrix" }, adminToken);
        ProblemAssert.Ok(response);
        return response.GetString("enroll_token");
    }

    /// <summary>The internal credential of this process.</summary>
    internal string InternalCredential() => Host.GetRequiredService<InternalCredential>().GetOrMint();

    /// <summary>A live identity assertion for the admin's session and the <c>echo</c> route.</summary>
    internal async Task<string> MintAssertionAsync()
    {
        var session = (await Host.GetRequiredService<SessionService>().CheckAsync(Admin.Token)).Session!;
        return Host.GetRequiredService<AssertionIssuer>().Issue(session, "echo");
    }

    /// <summary>The browser verifier of a handoff code minted here, or one of another handoff for any other value.</summary>
    internal string VerifierFor(string code) => _verifiers.TryGetValue(code, out var verifier) ? verifier : _verifiers.Values.First();

    internal Task<KeywardResponse> RedeemAsync(string code, string verifier) =>
        NavigateAsync($"{AppOrigin}/.keyward/callback?code={Uri.EscapeDataString(code)}", $"{PreCookie}={verifier}");

    internal Task<KeywardResponse> NavigateAsync(string url, string? cookie) =>
        Client.GetAsync(url, configure: r =>
        {
            r.Headers.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
            if (cookie is not null)
            {
                r.Headers.Add("Cookie", cookie);
            }
        });

    /// <summary>
    /// The audit events since the last call, with the counted refusals written first: a refusal is audited when one of
    /// them names its code (one event each, or counted per address).
    /// </summary>
    internal async Task<List<AuditEvent>> NewEventsAsync()
    {
        await Host.GetRequiredService<RefusalCounter>().FlushAsync();
        var reader = Host.GetRequiredService<AuditReader>();
        var events = new List<AuditEvent>();
        long? after = _cursor;
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

    private async Task<(string Code, string Verifier)> IssueHandoffAsync(TestSession session)
    {
        var start = await NavigateAsync($"{AppOrigin}/", cookie: null);
        Assert.Equal(302, start.StatusCode);
        var verifier = Value(SetCookie(start, PreCookie));
        var issued = await NavigateAsync(start.Headers.Location!.ToString(), $"{SessionCookie}={session.Token}");
        Assert.Equal(302, issued.StatusCode);
        var code = System.Web.HttpUtility.ParseQueryString(issued.Headers.Location!.Query)["code"]!;
        _verifiers[code] = verifier;
        return (code, verifier);
    }

    private async Task<(Guid Id, string Code)> OpenSupportSessionAsync(TestSession session)
    {
        var opened = await Client.SendAsync(HttpMethod.Post, "/api/support/sessions", new System.Text.Json.Nodes.JsonObject { ["reason"] = "matrix" }, session.Token);
        Assert.Equal(200, opened.StatusCode);
        return (opened.Json.GetProperty("id").GetGuid(), opened.Json.GetProperty("support_code").GetString()!);
    }

    private async Task<string> JoinAsync(TestSession session, Guid supportSession)
    {
        var joined = await Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{supportSession}/join", new System.Text.Json.Nodes.JsonObject(), session.Token);
        Assert.Equal(200, joined.StatusCode);
        return joined.Json.GetProperty("join_token").GetString()!;
    }

    private async Task<string> SignInToAppAsync(TestSession session)
    {
        var (code, verifier) = await IssueHandoffAsync(session);
        var redeemed = await RedeemAsync(code, verifier);
        Assert.Equal(302, redeemed.StatusCode);
        return Value(SetCookie(redeemed, AppCookieName));
    }

    private static string SetCookie(KeywardResponse response, string name) =>
        Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(name + "=", StringComparison.Ordinal));

    private static string Value(string setCookie) => setCookie[(setCookie.IndexOf('=', StringComparison.Ordinal) + 1)..setCookie.IndexOf(';', StringComparison.Ordinal)];
}
