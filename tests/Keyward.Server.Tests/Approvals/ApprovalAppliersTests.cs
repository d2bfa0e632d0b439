using Keyward.Core.Capabilities;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Server.Tests.Approvals;

/// <summary>The appliers beyond approver and threshold changes, applied by a quorum over HTTP: policy settings and the vault's key epoch.</summary>
public sealed class ApprovalAppliersTests : IAsyncLifetime
{
    private ApprovalHost _keyward = null!;
    private Approver _alice = null!;
    private Approver _bob = null!;

    public async Task InitializeAsync()
    {
        _keyward = await ApprovalHost.StartAsync(services => services.AddSingleton<IKeyEncryptionKeyProvider, TestEpochKeys>());
        _alice = await _keyward.AddApproverAsync("alice");
        _bob = await _keyward.AddApproverAsync("bob");
    }

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    [Fact]
    public async Task ChangeApprovalPolicy_ByQuorum_AddsKindsAndAllowsSyncedPasskeys_AKindAnotherPolicyHas_IsRefused()
    {
        var policy = await _keyward.PolicyAsync("quorum", ["change_approval_policy"], [("security", 2, [_alice, _bob])]);
        await _keyward.PolicyAsync("other", ["add_approver"], [("security", 1, [_alice])]);
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "change_approval_policy", policy.ToString(), new() { ["add_kinds"] = "add_approver" }), 400, "approval_policy_invalid");
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "change_approval_policy", policy.ToString(), new() { ["remove_kinds"] = "change_approval_policy" }), 400, "approval_operation_invalid");
        var request = await _keyward.ProposeIdAsync(_alice.Session, "change_approval_policy", policy.ToString(), new() { ["add_kinds"] = "advance_key_epoch,remove_approver", ["allow_synced_passkeys"] = "true" });

        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));
        Assert.True((await _keyward.VoteAsync(_bob, request)).Json.GetProperty("applied").GetBoolean());

        var shown = (await _keyward.Client.GetAsync("/api/approvals/policies", _alice.Session.Token)).Json.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "quorum");
        Assert.Equal(["remove_approver", "advance_key_epoch", "change_approval_policy"], shown.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()));
        Assert.True(shown.GetProperty("allow_synced_passkeys").GetBoolean());
    }

    [Fact]
    public async Task AdvanceKeyEpoch_ByQuorum_MovesToTheNextEpochOnce_AnEpochWithoutKeyOrNotNext_IsRefused()
    {
        var epochs = new VaultEpochs(_keyward.Host.GetRequiredService<KeywardDatabase>(), new TestEpochKeys(), TimeProvider.System);
        Assert.True((await epochs.InitializeAsync()).Succeeded);
        await _keyward.PolicyAsync("vault", ["advance_key_epoch"], [("security", 2, [_alice, _bob])]);
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "advance_key_epoch", "3", []), 400, "approval_operation_invalid");
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "advance_key_epoch", "02", []), 400, "approval_operation_invalid");
        var request = await _keyward.ProposeIdAsync(_alice.Session, "advance_key_epoch", "2", []);

        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));
        Assert.Equal(1, (await epochs.CurrentAsync())!.Number);
        Assert.True((await _keyward.VoteAsync(_bob, request)).Json.GetProperty("applied").GetBoolean());

        Assert.Equal(2, (await epochs.CurrentAsync())!.Number);
        Assert.Equal([1, 2], (await epochs.ListAsync()).Select(e => e.Number));
        ProblemAssert.Problem(await _keyward.ProposeAsync(_alice.Session, "advance_key_epoch", "2", []), 400, "approval_operation_invalid");
    }

    [Fact]
    public async Task GrantAndWidenScope_ByQuorum_AreAuditedScopeGrantedAndScopeWidened_OnlyOnceApplied()
    {
        await _keyward.PolicyAsync("scopes", ["grant_scope", "widen_scope"], [("security", 2, [_alice, _bob])]);
        var actor = Guid.NewGuid();
        var admin = Guid.Parse(await _keyward.AccountIdAsync("admin"));
        await _keyward.Host.GetRequiredService<ServiceIdentityService>().CreateAsync(actor, "backup job", admin, Tenants.Default);
        var grant = ScopeOperations.Grant(actor, CapabilityActorKind.Service, ScopeRules.Normalize(["read"], ["credential"], ["db/prod/"]).Contents!).Value;
        var proposed = await _keyward.ProposeAsync(_alice.Session, "grant_scope", grant.Target, new(grant.Parameters));
        ProblemAssert.Ok(proposed);
        var request = proposed.Json.GetProperty("id").GetGuid();

        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, request));
        Assert.DoesNotContain(await _keyward.EventsAsync(), e => e.Action == CapabilityAuditActions.ScopeGranted);
        Assert.True((await _keyward.VoteAsync(_bob, request)).Json.GetProperty("applied").GetBoolean());

        var granted = Assert.Single(await _keyward.EventsAsync(), e => e.Action == CapabilityAuditActions.ScopeGranted);
        Assert.Equal(actor.ToString(), granted.Target);
        Assert.Equal((request.ToString(), "read", "credential"), (granted.Details["request"], granted.Details["operations"], granted.Details["data_classes"]));
        var scope = Assert.Single(await _keyward.Host.GetRequiredService<ScopeService>().ListAsync(Tenants.Default, actor));
        var widen = ScopeOperations.Widen(scope.Id, ScopeRules.Normalize(["read", "list"], ["credential"], ["db/prod/"]).Contents!).Value;
        var widened = await _keyward.ProposeAsync(_alice.Session, "widen_scope", widen.Target, new(widen.Parameters));
        ProblemAssert.Ok(widened);
        var widening = widened.Json.GetProperty("id").GetGuid();
        ProblemAssert.Ok(await _keyward.VoteAsync(_alice, widening));
        ProblemAssert.Ok(await _keyward.VoteAsync(_bob, widening));
        var widenedEvent = Assert.Single(await _keyward.EventsAsync(), e => e.Action == CapabilityAuditActions.ScopeWidened);
        Assert.Equal(scope.Id.ToString(), widenedEvent.Target);
    }
}
