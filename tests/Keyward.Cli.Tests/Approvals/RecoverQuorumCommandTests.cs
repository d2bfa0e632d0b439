using System.Security.Cryptography;
using Keyward.Cli.Tests.Broker;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Testing;
using Microsoft.Data.Sqlite;

namespace Keyward.Cli.Tests.Approvals;

/// <summary><c>keyward admin recover-quorum</c> on the server's own database: a stranded policy gets a quorum back, audited.</summary>
public sealed class RecoverQuorumCommandTests : IDisposable
{
    private readonly TempDirectory _folder = new("keyward-cli-recover-quorum-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task RecoverQuorum_AStrandedPolicy_LowersTheThreshold_AndRecordsIt_ANotStrandedOne_IsRefused()
    {
        var database = new KeywardDatabase(new StorageOptions(), _folder.Path);
        await database.MigrateAsync(TimeProvider.System);
        var alice = await AccountAsync(database, "alice");
        var bob = await AccountAsync(database, "bob");
        var policies = new ApprovalPolicyService(database, TimeProvider.System);
        var policy = (await policies.CreateAsync(new ApprovalPolicyDraft { Name = "quorum", Kinds = [OperationKind.AdvanceKeyEpoch], Groups = [new("security", 2, [alice, bob])] })).Value;

        var notStranded = await CommandLineRun.RunAsync("admin", "recover-quorum", "--data-dir", _folder.Path, "--policy", "quorum", "--group", "security", "--threshold", "1");
        Assert.Equal(1, notStranded.Code);
        Assert.Contains("approval_policy_invalid", notStranded.Error, StringComparison.Ordinal);

        await policies.ForceRemoveApproverAsync(bob);
        var recovered = await CommandLineRun.RunAsync("admin", "recover-quorum", "--data-dir", _folder.Path, "--policy", "quorum", "--group", "security", "--threshold", "1");

        Assert.True(recovered.Code == 0, recovered.Error);
        var stored = (await policies.GetAsync(policy.Id))!;
        Assert.False(stored.Stranded);
        Assert.Equal(1, stored.Groups.Single().Threshold);
        var events = (await new AuditReader(database).ListAsync(new AuditQuery { Limit = 500 })).Events.Where(e => e.Action == "approval.quorum_recovered").ToList();
        Assert.Equal([AuditOutcomes.Failure, AuditOutcomes.Success], events.Select(e => e.Outcome));
    }

    private static async Task<Guid> AccountAsync(KeywardDatabase database, string name)
    {
        var account = new AccountEntity { Id = Guid.NewGuid(), TenantId = Tenants.Default, Name = name, Role = Roles.User, UserHandle = RandomNumberGenerator.GetBytes(16) };
        await using var db = database.CreateContext();
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account.Id;
    }
}
