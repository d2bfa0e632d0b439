using System.Security.Cryptography;
using System.Text.Json;
using Keyward.Authenticator;
using Keyward.Core.Accounts;
using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Testing;
using Keyward.WebAuthn;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Quorum;

/// <summary>
/// A migrated database (a SQLite file, or a fresh PostgreSQL database) with the quorum's services over it, a relying
/// party, a fake clock, and approvers: accounts whose keys are virtual authenticators registered in the database.
/// </summary>
internal sealed class QuorumStore : IAsyncDisposable
{
    public const string RpId = "keyward.test";
    public const string Origin = "https://keyward.test";
    public const string InstanceId = "kw-instance-test";

    private readonly TempDirectory _folder = new("keyward-quorum-");

    private QuorumStore(StorageOptions storage) => Database = new KeywardDatabase(storage, _folder.Path);

    public KeywardDatabase Database { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    public RelyingParty RelyingParty { get; private set; } = new(new RelyingPartyPolicy { RpId = RpId, Origins = [Origin] }, TimeProvider.System);

    public static async Task<QuorumStore> CreateAsync(StorageProvider provider = StorageProvider.Sqlite, PostgresFixture? postgres = null)
    {
        var storage = provider == StorageProvider.Postgres
            ? new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = await postgres!.CreateDatabaseAsync() }
            : new StorageOptions { Provider = StorageProvider.Sqlite };
        var store = new QuorumStore(storage);
        await store.Database.MigrateAsync(TimeProvider.System);
        return store;
    }

    public ApprovalPolicyService Policies() => new(Database, Time);

    public ApprovalService Approvals(params IApprovalApplier[] appliers) =>
        new(Database, RelyingParty, new QuorumSettings { InstanceId = InstanceId }, Time, appliers);

    /// <summary>Uses a relying party that accepts a regressed counter and flags it (the quorum must still refuse it).</summary>
    public void AcceptAndFlagClones() =>
        RelyingParty = new(new RelyingPartyPolicy { RpId = RpId, Origins = [Origin], SignCount = SignCountPolicy.AcceptAndFlag }, TimeProvider.System);

    /// <summary>A new account with one registered virtual key.</summary>
    public async Task<Approver> ApproverAsync(string name, VirtualAuthenticatorOptions? key = null)
    {
        var account = new AccountEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            Name = name,
            Role = Roles.User,
            UserHandle = RandomNumberGenerator.GetBytes(16),
        };
        await using (var db = Database.CreateContext())
        {
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
        }

        var approver = new Approver(this, account);
        await approver.AddKeyAsync(key);
        return approver;
    }

    /// <summary>Registers <paramref name="authenticator"/>'s new credential for the account, as sign-up would have.</summary>
    public async Task<AuthenticatorEntity> RegisterAsync(AccountEntity account, VirtualAuthenticator authenticator)
    {
        var options = RelyingParty.CreateRegistrationOptions(new RegistrationOptionsRequest { UserName = account.Name, UserHandle = account.UserHandle });
        authenticator.MakeCredential(options.ToJson(), Origin);
        var info = authenticator.Credentials[^1];
        var row = new AuthenticatorEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            AccountId = account.Id,
            CredentialId = info.CredentialId,
            PublicKey = info.PublicKey,
            Name = "key",
            SignCount = info.SignCount,
            BackupEligible = info.BackupEligible,
            Format = "none",
            Aaguid = new byte[16],
            Transports = string.Empty,
        };
        await using var db = Database.CreateContext();
        db.Authenticators.Add(row);
        await db.SaveChangesAsync();
        return row;
    }

    public static VirtualAuthenticator NewKey(VirtualAuthenticatorOptions? options = null) =>
        VirtualAuthenticator.Create((options ?? new VirtualAuthenticatorOptions()) with { KeyFileIterations = VirtualAuthenticatorOptions.MinimumKeyFileIterations });

    /// <summary>An assertion by <paramref name="key"/>'s credential <paramref name="credentialId"/> over <paramref name="challenge"/>.</summary>
    public static AuthenticationCredential Sign(VirtualAuthenticator key, byte[] credentialId, byte[] challenge, string origin = Origin, string userVerification = "required")
    {
        var request = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["challenge"] = Base64Url.Encode(challenge),
            ["rpId"] = RpId,
            ["allowCredentials"] = new[] { new Dictionary<string, string> { ["type"] = "public-key", ["id"] = Base64Url.Encode(credentialId) } },
            ["userVerification"] = userVerification,
        });
        return AuthenticationCredential.Parse(key.GetAssertion(request, origin)).Value;
    }

    public async Task<long> NonceAsync(Guid operatorId)
    {
        await using var db = Database.CreateContext();
        return await db.ApprovalOperators.Where(o => o.AccountId == operatorId).Select(o => o.Nonce).SingleAsync();
    }

    public async Task<ApprovalRequestEntity> RequestRowAsync(Guid id)
    {
        await using var db = Database.CreateContext();
        return await db.ApprovalRequests.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    public async Task DisableAccountAsync(Guid accountId)
    {
        await using var db = Database.CreateContext();
        await db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.DisabledAt, 1L));
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
