using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.WebAuthn;

namespace Keyward.Core.Tests.Quorum;

/// <summary>
/// Final votes racing for real: several approvals that would each complete the quorum arrive at once, each on its own
/// connection (and its own service, like separate broker nodes). Exactly one applies the operation and bumps the nonce.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class ApprovalConcurrencyTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task VoteAsync_ConcurrentFinalVotes_ApplyExactlyOnce(StorageProvider provider)
    {
        await using var store = await QuorumStore.CreateAsync(provider, postgres);
        var approvers = new List<Approver>();
        for (var i = 0; i < 6; i++)
        {
            approvers.Add(await store.ApproverAsync("approver-" + i));
        }

        var created = await store.Policies().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "epochs",
            Kinds = [OperationKind.AdvanceKeyEpoch],
            Groups = [new("security", 2, [.. approvers.Select(a => a.Id)])],
        });
        Assert.True(created.Succeeded);
        var applier = new CountingApplier();
        var request = (await store.Approvals(applier).ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value, approvers[0].Id, approvers[0].Id)).Value;
        Assert.False((await store.Approvals(applier).VoteAsync(request.Id, approvers[0].Approve(request))).Value.Applied);

        // Five final votes, assertions made first, released together.
        var finals = approvers.Skip(1).Select(a => a.Approve(request)).ToList();
        using var start = new ManualResetEventSlim();
        var votes = finals.Select(assertion => Task.Run(async () =>
        {
            start.Wait();
            return await store.Approvals(applier).VoteAsync(request.Id, assertion);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(votes);

        Assert.Single(results, r => r.Succeeded && r.Value.Applied);
        Assert.All(results.Where(r => !(r.Succeeded && r.Value.Applied)), r => Assert.Equal("approval_replayed", r.Failure?.Code));
        Assert.Equal(1, applier.Applied);
        Assert.Equal(1, await store.NonceAsync(approvers[0].Id));
        Assert.Equal(ApprovalStates.Applied, (await store.RequestRowAsync(request.Id)).State);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.Postgres)]
    public async Task VoteAsync_OneCounterValueUsedTwiceAtOnce_IsCountedOnce(StorageProvider provider)
    {
        // Two assertions from one key with the same counter (a clone racing the original) on two requests.
        await using var store = await QuorumStore.CreateAsync(provider, postgres);
        var alice = await store.ApproverAsync("alice");
        var bob = await store.ApproverAsync("bob");
        using var folder = new TempDirectory("keyward-clone-");
        var file = Path.Combine(folder.Path, "key.kwkey");
        alice.Key.Save(file, "passphrase");
        var clone = Keyward.Authenticator.VirtualAuthenticator.Load(file, "passphrase");
        Assert.True((await store.Policies().CreateAsync(new ApprovalPolicyDraft
        {
            Name = "p",
            Kinds = [OperationKind.AdvanceKeyEpoch, OperationKind.GrantScope],
            Groups = [new("security", 2, [alice.Id, bob.Id])],
        })).Succeeded);
        var service = store.Approvals(new CountingApplier(), new CountingApplier(OperationKind.GrantScope));
        var one = (await service.ProposeAsync(ApprovalOperation.Create(OperationKind.AdvanceKeyEpoch, "vault").Value, alice.Id, alice.Id)).Value;
        var two = (await service.ProposeAsync(ApprovalOperation.Create(OperationKind.GrantScope, "actor").Value, bob.Id, bob.Id)).Value;
        AuthenticationCredential[] assertions = [alice.Approve(one), QuorumStore.Sign(clone, alice.KeyRow.CredentialId, two.Challenge)];

        var results = await Task.WhenAll(
            Task.Run(() => store.Approvals(new CountingApplier(), new CountingApplier(OperationKind.GrantScope)).VoteAsync(one.Id, assertions[0])),
            Task.Run(() => store.Approvals(new CountingApplier(), new CountingApplier(OperationKind.GrantScope)).VoteAsync(two.Id, assertions[1])));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => r.Failure?.Code == "approver_key_cloned");
    }
}
