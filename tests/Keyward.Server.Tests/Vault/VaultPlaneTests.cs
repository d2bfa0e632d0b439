using System.Text;
using System.Text.Json.Nodes;
using Keyward.Core.Capabilities;
using Keyward.Core.Vault;

namespace Keyward.Server.Tests.Vault;

/// <summary>The vault plane over HTTP with a capability the test chooses (layer (b) of issue 12 item 7, and the round trip).</summary>
public sealed class VaultPlaneTests : IAsyncLifetime
{
    private VaultHost _vault = null!;

    public async Task InitializeAsync() => _vault = await VaultHost.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    private TestCapabilities Caps => _vault.Capabilities;

    [Fact]
    public async Task Write_ThenRead_ReturnsTheValueNoStoreAndAudits()
    {
        var written = await _vault.PutAsync(VaultDataClass.Memory, "runs/last", Encoding.UTF8.GetBytes("state-one"), Caps.Issue(CapabilityOperations.Write, "memory", _vault.Actor, "runs/last"));
        Assert.Equal(200, written.StatusCode);
        Assert.Equal(1, written.Json.GetProperty("version").GetInt32());
        Assert.Equal("no-store", written.Headers.CacheControl?.ToString());

        var read = await _vault.ReadAsync(VaultDataClass.Memory, "runs/last");
        Assert.Equal(200, read.StatusCode);
        Assert.Equal("no-store", read.Headers.CacheControl?.ToString());
        Assert.Equal("state-one", VaultHost.Value(read));
        Assert.Equal(1, read.Json.GetProperty("version").GetInt32());

        var events = await _vault.EventsAsync();
        var readEvent = Assert.Single(events, e => e.Action == VaultAuditActions.SecretRead);
        Assert.Equal($"memory/{_vault.Actor}/runs/last", readEvent.Target);
        Assert.Equal("memory", readEvent.Details["data_class"]);
        Assert.Equal($"service:{_vault.Actor}", readEvent.Actor);
        Assert.Single(events, e => e.Action == VaultAuditActions.SecretWritten);
        Assert.DoesNotContain(events, e => e.Details.Values.Any(v => v.Contains("state-one", StringComparison.Ordinal)) || (e.Target ?? string.Empty).Contains("state-one", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_Versions_LatestByDefaultAndEachOnRequest()
    {
        Assert.Equal(1, await _vault.WriteAsync(VaultDataClass.Memory, "notes", "first"));
        Assert.Equal(2, await _vault.WriteAsync(VaultDataClass.Memory, "notes", "second"));

        Assert.Equal("second", VaultHost.Value(await _vault.ReadAsync(VaultDataClass.Memory, "notes")));
        var first = await _vault.ReadAsync(VaultDataClass.Memory, "notes", version: 1);
        Assert.Equal("first", VaultHost.Value(first));
        Assert.Equal(1, first.Json.GetProperty("version").GetInt32());
        var missing = await _vault.ReadAsync(VaultDataClass.Memory, "notes", version: 3);
        Assert.Equal(404, missing.StatusCode);
        Assert.Equal("vault_secret_not_found", missing.Code);
    }

    [Fact]
    public async Task List_UnderPrefix_ReturnsPathsAndVersionsNeverValues()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "team/a", "value-a");
        await _vault.WriteAsync(VaultDataClass.Memory, "team/b", "value-b");
        await _vault.WriteAsync(VaultDataClass.Memory, "team/b", "value-b2");
        await _vault.WriteAsync(VaultDataClass.Memory, "other/c", "value-c");

        var listed = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor, "team/"), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "team/"));
        Assert.Equal(200, listed.StatusCode);
        var entries = listed.Json.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("path").GetString(), e.GetProperty("version").GetInt32())).ToList();
        Assert.Equal([("team/a", 1), ("team/b", 2)], entries);
        Assert.DoesNotContain("value-", listed.Body, StringComparison.Ordinal);

        // Without a prefix, the capability's own.
        var own = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "other/"));
        Assert.Equal(200, own.StatusCode);
        Assert.Equal("other/c", Assert.Single(own.Json.GetProperty("entries").EnumerateArray()).GetProperty("path").GetString());
    }

    [Fact]
    public async Task Delete_ThenRead_IsNotFound()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "gone", "x");
        await _vault.WriteAsync(VaultDataClass.Memory, "gone", "y");
        var deleted = await _vault.Client.DeleteAsync(VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "gone"), Caps.Issue(CapabilityOperations.Delete, "memory", _vault.Actor, "gone"));
        Assert.Equal(200, deleted.StatusCode);
        Assert.Equal(2, deleted.Json.GetProperty("versions_deleted").GetInt32());

        var read = await _vault.ReadAsync(VaultDataClass.Memory, "gone");
        Assert.Equal(404, read.StatusCode);
        Assert.Equal("vault_secret_not_found", read.Code);
        Assert.Contains(await _vault.EventsAsync(), e => e.Action == VaultAuditActions.SecretDeleted && e.Target == $"memory/{_vault.Actor}/gone");
    }

    [Theory]
    [InlineData("credential", "memory")]
    [InlineData("memory", "credential")]
    public async Task Read_CapabilityForAnotherClass_IsRefusedDataClassMismatch(string capabilityClass, string endpointClass)
    {
        var endpoint = VaultDataClass.Find(endpointClass)!;
        var response = await _vault.GetAsync(endpoint, "db/prod", Caps.Issue(CapabilityOperations.Read, capabilityClass, _vault.Actor, "db/prod"));
        AssertRefused(response, 403, "cap_data_class_mismatch");
        Assert.Contains(await _vault.EventsAsync(), e => e.Action == VaultAuditActions.Refused && e.Details["code"] == "cap_data_class_mismatch" && e.Details["data_class"] == endpointClass);
    }

    [Fact]
    public async Task Write_CapabilityForAnotherClass_IsRefusedAndNothingIsStored()
    {
        var response = await _vault.PutAsync(VaultDataClass.Memory, "db/prod", Encoding.UTF8.GetBytes("x"), Caps.Issue(CapabilityOperations.Write, "credential", _vault.Actor, "db/prod"));
        AssertRefused(response, 403, "cap_data_class_mismatch");
        Assert.Equal(404, (await _vault.ReadAsync(VaultDataClass.Memory, "db/prod")).StatusCode);
    }

    [Theory]
    [InlineData("write")]
    [InlineData("list")]
    [InlineData("delete")]
    public async Task Read_CapabilityForAnotherOperation_IsRefusedOperationMismatch(string operation)
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "a", "secret-a");
        var response = await _vault.GetAsync(VaultDataClass.Memory, "a", Caps.Issue(operation, "memory", _vault.Actor, "a"));
        AssertRefused(response, 403, "cap_operation_mismatch");
        Assert.DoesNotContain("secret-a", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_ReadCapability_IsRefusedOperationMismatch()
    {
        var response = await _vault.PutAsync(VaultDataClass.Memory, "a", Encoding.UTF8.GetBytes("x"), Caps.Issue(CapabilityOperations.Read, "memory", _vault.Actor, "a"));
        AssertRefused(response, 403, "cap_operation_mismatch");
    }

    [Fact]
    public async Task Read_CapabilityOfAnotherActor_IsRefusedActorMismatch()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "a", "secret-a");
        var other = Guid.NewGuid();
        var response = await _vault.GetAsync(VaultDataClass.Memory, "a", Caps.Issue(CapabilityOperations.Read, "memory", other, "a"));
        AssertRefused(response, 403, "cap_actor_mismatch");
        Assert.DoesNotContain("secret-a", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_CapabilityForAnotherPath_IsRefusedPathMismatch()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "db/prod", "secret-prod");
        foreach (var path in new[] { "db/pro", "db/prod/x", "db" })
        {
            var response = await _vault.GetAsync(VaultDataClass.Memory, "db/prod", Caps.Issue(CapabilityOperations.Read, "memory", _vault.Actor, path));
            AssertRefused(response, 403, "cap_path_mismatch");
            Assert.DoesNotContain("secret-prod", response.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task List_PrefixOutsideTheCapabilitys_IsRefusedPathMismatch()
    {
        await _vault.WriteAsync(VaultDataClass.Memory, "team/a", "x");
        var capability = Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "team/a/");
        var response = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor, "team/"), capability);
        AssertRefused(response, 403, "cap_path_mismatch");
        var all = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor, string.Empty), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "team/"));
        AssertRefused(all, 403, "cap_path_mismatch");
    }

    [Fact]
    public async Task List_CapabilityPrefix_NeverReachesASiblingThatMerelyStartsWithItsText()
    {
        // Review finding 1: a list capability names its prefix as the mint makes it, "db/prod" (no trailing '/'); the
        // scope that allowed it covers db/prod and below, segment by segment, never db/production.
        await _vault.WriteAsync(VaultDataClass.Memory, "db/prod", "x");
        await _vault.WriteAsync(VaultDataClass.Memory, "db/prod/a", "x");
        await _vault.WriteAsync(VaultDataClass.Memory, "db/production/b", "x");
        await _vault.WriteAsync(VaultDataClass.Memory, "db/prodx", "x");

        var own = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "db/prod"));
        Assert.Equal(200, own.StatusCode);
        Assert.Equal(["db/prod", "db/prod/a"], own.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));

        foreach (var sibling in new[] { "db/production", "db/production/", "db/prodx", "db/prod_" })
        {
            var response = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor, sibling), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "db/prod"));
            AssertRefused(response, 403, "cap_path_mismatch");
        }

        var below = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor, "db/prod/"), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "db/prod"));
        Assert.Equal(200, below.StatusCode);
        Assert.Equal(["db/prod/a"], below.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task List_CapabilityPrefix_IsCaseSensitive()
    {
        // Paths compare ordinally everywhere; a listing translated to a case-insensitive LIKE would show DB/PROD/c.
        await _vault.WriteAsync(VaultDataClass.Memory, "db/prod/a", "x");
        await _vault.WriteAsync(VaultDataClass.Memory, "DB/PROD/c", "x");

        foreach (var prefix in new string?[] { null, "db/prod/" })
        {
            var listed = await _vault.Client.GetAsync(VaultHost.ListPath(VaultDataClass.Memory, _vault.Actor, prefix), Caps.Issue(CapabilityOperations.List, "memory", _vault.Actor, "db/prod"));
            Assert.Equal(200, listed.StatusCode);
            Assert.Equal(["db/prod/a"], listed.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        }
    }

    [Theory]
    [InlineData("db/prod/")]
    [InlineData("db/prod%2F..")]
    [InlineData("db/prod%2Fx")]
    [InlineData("DB/prod")]
    [InlineData("db/prod/./")]
    [InlineData("db/prod/x/..")]
    [InlineData("db/pro%64")]
    public async Task Read_PathTricks_AreNeverTheCapabilitysPath(string trick)
    {
        // Percent-decoding, dot segments, case and a trailing '/' never make another path equal the capability's:
        // either the request names db/prod exactly (and reads it) or it is refused before any read.
        await _vault.WriteAsync(VaultDataClass.Memory, "db/prod", "secret-prod");
        await _vault.WriteAsync(VaultDataClass.Memory, "db/other", "secret-other");
        var response = await _vault.Client.GetAsync($"/vault/v1/memory/actors/{_vault.Actor}/secrets/{trick}", Caps.Issue(CapabilityOperations.Read, "memory", _vault.Actor, "db/prod"));
        Assert.DoesNotContain("secret-other", response.Body, StringComparison.Ordinal);
        if (response.StatusCode == 200)
        {
            Assert.Equal("db/prod", response.GetString("path"));
        }
        else
        {
            Assert.InRange(response.StatusCode, 400, 404);
            Assert.Equal("application/problem+json", response.MediaType);
        }
    }

    [Fact]
    public async Task Requests_FloodFromOneActor_AreLimitedPerActor_429RateLimited()
    {
        // Review finding: a capability is reusable for its lifetime, so nothing bounded one actor's vault requests.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        await using var limited = await VaultHost.StartAsync(settings: new() { ["Keyward:Vault:RequestsPerActorPerMinute"] = "3" }, time: time);
        var token = limited.Capabilities.Issue(CapabilityOperations.Write, "memory", limited.Actor, "a");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await limited.PutAsync(VaultDataClass.Memory, "a", Encoding.UTF8.GetBytes("x"), token)).StatusCode);
        }

        var refused = await limited.PutAsync(VaultDataClass.Memory, "a", Encoding.UTF8.GetBytes("x"), token);
        AssertRefused(refused, 429, "rate_limited");
        Assert.True(refused.Headers.RetryAfter is not null, "a 429 says when to come back");

        // Another actor is not held back; the next minute the first goes on. Nothing past the limit was stored.
        var other = Guid.NewGuid();
        Assert.Equal(200, (await limited.PutAsync(VaultDataClass.Memory, "a", Encoding.UTF8.GetBytes("y"), limited.Capabilities.Issue(CapabilityOperations.Write, "memory", other, "a"), other)).StatusCode);
        time.Advance(TimeSpan.FromMinutes(1));
        var read = await limited.GetAsync(VaultDataClass.Memory, "a", limited.Capabilities.Issue(CapabilityOperations.Read, "memory", limited.Actor, "a"));
        Assert.Equal(3, read.Json.GetProperty("version").GetInt32());
        Assert.Single(await limited.EventsAsync(), e => e.Action == Keyward.Core.Audit.AuditActions.RateLimited && e.Target == "vault.actor");
    }

    [Theory]
    [InlineData("cap_expired", 401)]
    [InlineData("cap_scope_revoked", 403)]
    [InlineData("cap_invalid", 401)]
    [InlineData("something_new", 401)]
    public async Task Read_VerifierRefuses_AnswersItsCode(string code, int status)
    {
        var response = await _vault.GetAsync(VaultDataClass.Memory, "a", Caps.Refusing(code));
        AssertRefused(response, status, code == "something_new" ? "cap_invalid" : code);
    }

    [Fact]
    public async Task Read_NoCapability_IsRefusedCapInvalid()
    {
        var response = await _vault.Client.GetAsync(VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "a"));
        AssertRefused(response, 401, "cap_invalid");
    }

    [Fact]
    public async Task Read_SessionOrAgentOrServiceKey_IsRefusedCapInvalidAndNeverVerified()
    {
        await _vault.Client.RegisterAdminAsync(_vault.Host.SetupCode!);
        var admin = await _vault.Client.LoginAsync("admin");
        foreach (var credential in new[] { admin.Token, "kwa_" + new string('a', 40), "kwv_" + new string('b', 40) })
        {
            var response = await _vault.GetAsync(VaultDataClass.Memory, "a", credential);
            AssertRefused(response, 401, "cap_invalid");
        }

        // The session cookie alone is not a capability either.
        var cookie = await _vault.Client.GetAsync(VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "a"), configure: r => r.Headers.Add("Cookie", $"__Host-keyward-session={admin.Token}"));
        AssertRefused(cookie, 401, "cap_invalid");
        Assert.DoesNotContain(_vault.Capabilities.Seen, token => token.StartsWith("kw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Write_BodyOverTheLimit_Is413BodyTooLarge()
    {
        await using var small = await VaultHost.StartAsync(settings: new() { ["Keyward:Vault:MaxValueBytes"] = "4096" });
        var token = small.Capabilities.Issue(CapabilityOperations.Write, "memory", small.Actor, "big");
        var response = await small.PutAsync(VaultDataClass.Memory, "big", new byte[8192], token);
        AssertRefused(response, 413, "body_too_large");

        var justOver = await small.PutAsync(VaultDataClass.Memory, "big", new byte[4097], small.Capabilities.Issue(CapabilityOperations.Write, "memory", small.Actor, "big"));
        AssertRefused(justOver, 413, "vault_value_too_large");

        Assert.Equal(200, (await small.PutAsync(VaultDataClass.Memory, "big", new byte[4096], small.Capabilities.Issue(CapabilityOperations.Write, "memory", small.Actor, "big"))).StatusCode);
    }

    [Fact]
    public async Task Write_LargeBodyWithoutCapability_IsRefusedBeforeTheBodyLimitIsRaised()
    {
        // The default body limit (64 KiB) holds until a capability is verified: 80 KiB unauthenticated is cap_invalid.
        var response = await _vault.Client.SendAsync(HttpMethod.Put, VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "a"), new JsonObject { ["value_base64"] = Convert.ToBase64String(new byte[60 * 1024]) }, "eyJub3QiOiJpc3N1ZWQifQ.x.y");
        AssertRefused(response, 401, "cap_invalid");
    }

    [Fact]
    public async Task Write_Base64EscapedByTheJsonWriter_StoresTheSameBytes()
    {
        // Base64 of these bytes is "++8v"; System.Text.Json's default encoder sends '+' as \u002B (valid JSON, same text).
        var value = new byte[] { 0xfb, 0xef, 0x2f };
        var body = new JsonObject { ["value_base64"] = Convert.ToBase64String(value) };
        Assert.Contains("\\u002B", body.ToJsonString(), StringComparison.Ordinal);

        var written = await _vault.Client.SendAsync(HttpMethod.Put, VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "escaped"), body, Caps.Issue(CapabilityOperations.Write, "memory", _vault.Actor, "escaped"));

        Assert.Equal(200, written.StatusCode);
        var read = await _vault.ReadAsync(VaultDataClass.Memory, "escaped");
        Assert.Equal(value, Convert.FromBase64String(read.GetString("value_base64")));
    }

    [Theory]
    [InlineData("{\"value_base64\":\"not base64!\"}")]
    [InlineData("{\"value\":\"eA==\"}")]
    [InlineData("{\"value_base64\":\"eA==\",\"extra\":1}")]
    [InlineData("[\"eA==\"]")]
    public async Task Write_MalformedBody_IsRequestInvalid(string body)
    {
        var token = Caps.Issue(CapabilityOperations.Write, "memory", _vault.Actor, "a");
        var response = await _vault.Client.SendAsync(HttpMethod.Put, VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "a"), JsonNode.Parse(body), token);
        AssertRefused(response, 400, "request_invalid");
    }

    [Fact]
    public async Task Read_SensitiveClassWithoutApproval_IsRefusedApprovalRequired()
    {
        await _vault.WriteAsync(VaultDataClass.Credential, "db/prod", "hunter2-prod");
        var token = Caps.Issue(CapabilityOperations.Read, "credential", _vault.Actor, "db/prod");
        var refused = await _vault.GetAsync(VaultDataClass.Credential, "db/prod", token);
        AssertRefused(refused, 403, "approval_required");
        Assert.DoesNotContain("hunter2", refused.Body, StringComparison.Ordinal);

        // An approval for another path does not count; one for this address is spent by one read.
        _vault.Approvals.Approve(_vault.Address(VaultDataClass.Credential, "db/test"));
        AssertRefused(await _vault.GetAsync(VaultDataClass.Credential, "db/prod", token), 403, "approval_required");
        _vault.Approvals.Approve(_vault.Address(VaultDataClass.Credential, "db/prod"));
        var read = await _vault.GetAsync(VaultDataClass.Credential, "db/prod", token);
        Assert.Equal(200, read.StatusCode);
        Assert.Equal("hunter2-prod", VaultHost.Value(read));
        AssertRefused(await _vault.GetAsync(VaultDataClass.Credential, "db/prod", token), 403, "approval_required");
        Assert.Contains(await _vault.EventsAsync(), e => e.Action == VaultAuditActions.Refused && e.Details["code"] == "approval_required" && e.Details["data_class"] == "credential");
    }

    [Fact]
    public async Task Read_VersionNotANumber_IsRequestInvalid()
    {
        var response = await _vault.Client.GetAsync(VaultHost.SecretPath(VaultDataClass.Memory, _vault.Actor, "a") + "?version=latest", Caps.Issue(CapabilityOperations.Read, "memory", _vault.Actor, "a"));
        AssertRefused(response, 400, "request_invalid");
    }

    internal static void AssertRefused(Keyward.Client.KeywardResponse response, int status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(code, response.Code);
    }
}
