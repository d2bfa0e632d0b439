using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.Testing.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Cli.Tests.Audit;

/// <summary>The audit API of the whole broker (KeywardHost) on a TestServer over a real SQLite file.</summary>
public sealed class AuditApiTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _data = new("keyward-audit-api-");
    private KeywardTestHost _host = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _admin = null!;
    private string _user = null!;

    public async Task InitializeAsync()
    {
        _host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            DataDirectory = _data.Path,
            Settings = new Dictionary<string, string> { ["Keyward:Audit:TreeHeadInterval"] = "01:00:00" },
        });
        _app = _host.App;
        _http = _host.CreateHttpClient();
        _admin = await SessionAsync("root", Roles.Admin);
        _user = await SessionAsync("carol", Roles.User);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public void AuditLog_IsRegisteredOnceAsIAuditLog()
    {
        Assert.Same(_app.Services.GetRequiredService<AuditLog>(), _app.Services.GetRequiredService<IAuditLog>());
    }

    [Fact]
    public async Task TreeHeadService_AtStartAndAtShutdown_SignsTheLog()
    {
        var heads = _app.Services.GetRequiredService<AuditTreeHeads>();
        var started = DateTime.UtcNow;
        while (await heads.GetLatestAsync() is null && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        // Start-up records its own events (the setup code issued while no admin exists) before the first head.
        var atStart = await SizeAsync();
        Assert.Equal(atStart, (await heads.GetLatestAsync())?.TreeSize);
        var log = _app.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 3; i++)
        {
            await log.RecordAsync(Record(i));
        }

        await _app.StopAsync();

        var last = await heads.GetLatestAsync();
        Assert.Equal(atStart + 3, last?.TreeSize);
        Assert.True(last!.VerifySignature(_app.Services.GetRequiredService<AuditSigningKey>().SubjectPublicKeyInfo));
    }

    [Fact]
    public async Task Key_Anonymous_PublishesTheKeyInTheDataDirectory()
    {
        var (status, body) = await GetAsync("/api/audit/key", token: null);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ES256", body["algorithm"]!.GetValue<string>());
        Assert.Equal(await File.ReadAllTextAsync(_data.Combine("audit", "audit-key.pub.pem")), body["public_key"]!.GetValue<string>());
        Assert.Equal(body["key_id"]!.GetValue<string>(), body["jwk"]!["kid"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/audit/events")]
    [InlineData("/api/audit/sth")]
    [InlineData("/api/audit/proof/inclusion?sequence=0&tree_size=1")]
    [InlineData("/api/audit/proof/consistency?first=1&second=1")]
    public async Task AdminEndpoints_WithoutSessionOrAsNonAdmin_AreRefused(string path)
    {
        var (anonymous, body) = await GetAsync(path, token: null);
        var (user, userBody) = await GetAsync(path, _user);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal("session_missing", body["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, user);
        Assert.Equal("role_required", userBody["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task TreeHeadAndProofs_AsAdmin_VerifyWithThePublishedKey()
    {
        var b = await SizeAsync();
        var log = _app.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 9; i++)
        {
            await log.RecordAsync(Record(i));
        }

        var (_, first) = await GetAsync("/api/audit/sth", _admin);
        for (var i = 9; i < 21; i++)
        {
            await log.RecordAsync(Record(i));
        }

        var (status, second) = await GetAsync("/api/audit/sth", _admin);
        var (_, again) = await GetAsync("/api/audit/sth", _admin);
        var (_, key) = await GetAsync("/api/audit/key", token: null);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(b + 9, first["tree_size"]!.GetValue<long>());
        Assert.Equal(b + 21, second["tree_size"]!.GetValue<long>());
        Assert.Equal(second.ToJsonString(), again.ToJsonString());
        var spki = PublicKey(key["public_key"]!.GetValue<string>());
        foreach (var head in new[] { first, second })
        {
            var input = SignedTreeHead.SignatureInput(head["tree_size"]!.GetValue<long>(), head["timestamp"]!.GetValue<long>(), B64(head["root_hash"]));
            Assert.True(AuditSigningKey.Verify(spki, input, B64(head["signature"])));
        }

        var (_, inclusion) = await GetAsync($"/api/audit/proof/inclusion?sequence={b + 13}&tree_size={b + 21}", _admin);
        Assert.True(MerkleTree.VerifyInclusion(b + 13, b + 21, B64(inclusion["leaf_hash"]), Path(inclusion["audit_path"]), B64(second["root_hash"])));
        var (_, consistency) = await GetAsync($"/api/audit/proof/consistency?first={b + 9}&second={b + 21}", _admin);
        Assert.True(MerkleTree.VerifyConsistency(b + 9, b + 21, Path(consistency["consistency_path"]), B64(first["root_hash"]), B64(second["root_hash"])));
    }

    [Theory]
    [InlineData("/api/audit/proof/inclusion?sequence=3&tree_size=3", "audit_range_invalid")]
    [InlineData("/api/audit/proof/inclusion?sequence=0&tree_size=99", "audit_range_invalid")]
    [InlineData("/api/audit/proof/inclusion?sequence=-1&tree_size=3", "audit_range_invalid")]
    [InlineData("/api/audit/proof/inclusion?tree_size=3", "audit_range_invalid")]
    [InlineData("/api/audit/proof/consistency?first=0&second=3", "audit_range_invalid")]
    [InlineData("/api/audit/proof/consistency?first=3&second=2", "audit_range_invalid")]
    [InlineData("/api/audit/proof/consistency?first=1&second=99", "audit_range_invalid")]
    [InlineData("/api/audit/events?limit=501", "audit_query_invalid")]
    [InlineData("/api/audit/events?limit=0", "audit_query_invalid")]
    [InlineData("/api/audit/events?from=yesterday", "audit_query_invalid")]
    [InlineData("/api/audit/events?after=x", "audit_query_invalid")]
    [InlineData("/api/audit/events?latest=maybe", "audit_query_invalid")]
    [InlineData("/api/audit/events?latest=true&after=3", "audit_query_invalid")]
    [InlineData("/api/audit/events?latest=true&latest=false", "audit_query_invalid")]
    public async Task BadParameters_AsAdmin_AreProblemsWithACode(string path, string code)
    {
        await _app.Services.GetRequiredService<IAuditLog>().RecordAsync(Record(0));

        var (status, body) = await GetAsync(path, _admin);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, body["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Events_FilteredAndPaged_FollowTheCursorToTheEnd()
    {
        var b = await SizeAsync();
        var log = _app.Services.GetRequiredService<IAuditLog>();
        for (var i = 0; i < 7; i++)
        {
            await log.RecordAsync(Record(i) with { Actor = i % 2 == 0 ? "alice" : "bob" });
        }

        var (_, page) = await GetAsync("/api/audit/events?actor=alice&limit=3", _admin);
        var events = page["events"]!.AsArray();
        Assert.Equal([b, b + 2, b + 4], events.Select(e => e!["sequence"]!.GetValue<long>()));
        Assert.Equal((b + 4).ToString(System.Globalization.CultureInfo.InvariantCulture), page["next"]!.GetValue<string>());
        var (_, rest) = await GetAsync($"/api/audit/events?actor=alice&limit=3&after={b + 4}", _admin);
        Assert.Equal([b + 6], rest["events"]!.AsArray().Select(e => e!["sequence"]!.GetValue<long>()));
        Assert.Null(rest["next"]);

        var e0 = events[0]!;
        var recomputed = AuditCanonical.LeafHash(new AuditEvent
        {
            Sequence = b,
            Time = e0["time"]!.GetValue<long>(),
            TenantId = e0["tenant"]!.GetValue<string>(),
            Actor = e0["actor"]!.GetValue<string>(),
            Action = e0["action"]!.GetValue<string>(),
            Target = e0["target"]?.GetValue<string>(),
            Outcome = e0["outcome"]!.GetValue<string>(),
            ClientAddress = e0["client"]?.GetValue<string>(),
            Details = e0["details"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
        });
        Assert.Equal(recomputed, B64(e0["leaf_hash"]));
    }

    private Task<long> SizeAsync() => _app.Services.GetRequiredService<AuditReader>().GetSizeAsync();

    private static AuditRecord Record(int i) => new()
    {
        Actor = "alice",
        Action = AuditActions.SessionCreated,
        Outcome = AuditOutcomes.Success,
        Target = $"session/{i}",
        Details = new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    private async Task<string> SessionAsync(string name, string role)
    {
        var database = _app.Services.GetRequiredService<KeywardDatabase>();
        var account = new AccountEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            Name = name,
            Role = role,
            UserHandle = RandomNumberGenerator.GetBytes(16),
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        await using (var db = database.CreateContext())
        {
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
        }

        var (token, _, _) = await _app.Services.GetRequiredService<SessionService>().CreateAsync(account, Guid.NewGuid(), userVerified: true, clientAddress: null);
        return token;
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private static byte[] B64(JsonNode? node) => Convert.FromBase64String(node!.GetValue<string>());

    private static byte[][] Path(JsonNode? node) => [.. node!.AsArray().Select(B64)];

    private static byte[] PublicKey(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.ExportSubjectPublicKeyInfo();
    }
}
