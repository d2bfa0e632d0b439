using System.Data.Common;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Storage;

namespace Keyward.Core.Accounts;

// The reads every sign-in makes, as plain ADO.NET statements (PlainCommand, issue 15): no EF Core query pipeline, no
// materializer, no diagnostics per call, which were most of their remaining cost after they were compiled. Each column
// is read as EF Core stores it (a Guid from SQLite's upper-case TEXT or PostgreSQL's uuid, a bool from INTEGER or
// boolean); each parameter is bound through EF Core's own type mapping; the rows are the same as EF Core's queries
// returned (tests read rows EF Core wrote, on SQLite and PostgreSQL). The options' reads return only the two columns
// options use (AllowedKey); the finish's reads return the whole entities, which its callers take.
public sealed partial class AccountService
{
    private const string AccountColumns = "\"Id\", \"TenantId\", \"Name\", \"Role\", \"UserHandle\", \"CreatedAt\", \"DisabledAt\"";

    private const string AuthenticatorColumns =
        "\"Id\", \"TenantId\", \"AccountId\", \"CredentialId\", \"PublicKey\", \"Name\", \"SignCount\", \"BackupEligible\", \"BackedUp\", " +
        "\"UserVerifiedAtRegistration\", \"Format\", \"Aaguid\", \"Transports\", \"CreatedAt\", \"LastUsedAt\"";

    private const string AccountsNamedSql = "SELECT " + AccountColumns + " FROM accounts WHERE \"TenantId\" = @tenant AND (\"Name\" = @key OR \"Name\" = @exact) LIMIT 2";
    private const string AccountByIdSql = "SELECT " + AccountColumns + " FROM accounts WHERE \"Id\" = @id";
    private const string AuthenticatorsOfSql = "SELECT " + AuthenticatorColumns + " FROM authenticators WHERE \"AccountId\" = @account ORDER BY \"CreatedAt\"";
    private const string FirstAuthenticatorSql = "SELECT " + AuthenticatorColumns + " FROM authenticators ORDER BY \"CreatedAt\" LIMIT 1";
    private const string AuthenticatorByCredentialIdSql = "SELECT " + AuthenticatorColumns + " FROM authenticators WHERE \"CredentialId\" = @credential";
    private const string AllowedKeysOfSql = "SELECT \"CredentialId\", \"Transports\" FROM authenticators WHERE \"AccountId\" = @account ORDER BY \"CreatedAt\"";
    private const string FirstAllowedKeySql = "SELECT \"CredentialId\", \"Transports\" FROM authenticators ORDER BY \"CreatedAt\" LIMIT 1";

    private static readonly Func<DbDataReader, AccountEntity> ReadAccount = r => new AccountEntity
    {
        Id = r.GetGuid(0),
        TenantId = r.GetString(1),
        Name = r.GetString(2),
        Role = r.GetString(3),
        UserHandle = r.GetFieldValue<byte[]>(4),
        CreatedAt = r.GetInt64(5),
        DisabledAt = r.IsDBNull(6) ? null : r.GetInt64(6),
    };

    private static readonly Func<DbDataReader, AuthenticatorEntity> ReadAuthenticator = r => new AuthenticatorEntity
    {
        Id = r.GetGuid(0),
        TenantId = r.GetString(1),
        AccountId = r.GetGuid(2),
        CredentialId = r.GetFieldValue<byte[]>(3),
        PublicKey = r.GetFieldValue<byte[]>(4),
        Name = r.GetString(5),
        SignCount = r.GetInt64(6),
        BackupEligible = r.GetBoolean(7),
        BackedUp = r.GetBoolean(8),
        UserVerifiedAtRegistration = r.GetBoolean(9),
        Format = r.GetString(10),
        Aaguid = r.GetFieldValue<byte[]>(11),
        Transports = r.GetString(12),
        CreatedAt = r.GetInt64(13),
        LastUsedAt = r.IsDBNull(14) ? null : r.GetInt64(14),
    };

    private static readonly Func<DbDataReader, AllowedKey> ReadAllowedKey = r => new AllowedKey(r.GetFieldValue<byte[]>(0), r.GetString(1));

    private static readonly Func<DbDataReader, AllowedKey?> ReadFirstAllowedKey = r => ReadAllowedKey(r);

    // The same reads and the sign count's write on a context the caller holds: a sign-in runs all of its steps on one
    // context and one open connection instead of renting one per step (issue 15, item 3). The sign count's write is a
    // plain command (PlainCommand) that enters SQLite's write gate itself.

    /// <summary>As <see cref="FindAccountByTypedNameAsync(string, CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public async Task<AccountEntity?> FindAccountByTypedNameAsync(KeywardDbContext db, string typed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typed);
        if (typed.Length > AccountName.MaxInputLength)
        {
            return null;
        }

        var key = AccountName.LookupKey(typed);
        var exact = typed.Trim();
        await using var read = await PlainCommand.CreateAsync(database, db, AccountsNamedSql, cancellationToken).ConfigureAwait(false);
        var found = await read.Bind("@tenant", Tenants.Default).Bind("@key", key).Bind("@exact", exact).ReadAllAsync(ReadAccount, cancellationToken).ConfigureAwait(false);
        return found.Find(a => string.Equals(a.Name, key, StringComparison.Ordinal)) ?? found.FirstOrDefault();
    }

    /// <summary>As <see cref="GetAccountAsync(Guid, CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public async Task<AccountEntity?> GetAccountAsync(KeywardDbContext db, Guid id, CancellationToken cancellationToken = default)
    {
        await using var read = await PlainCommand.CreateAsync(database, db, AccountByIdSql, cancellationToken).ConfigureAwait(false);
        return await read.Bind("@id", id).ReadFirstAsync(ReadAccount, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="ListAuthenticatorsAsync(Guid, CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public async Task<List<AuthenticatorEntity>> ListAuthenticatorsAsync(KeywardDbContext db, Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var read = await PlainCommand.CreateAsync(database, db, AuthenticatorsOfSql, cancellationToken).ConfigureAwait(false);
        return await read.Bind("@account", accountId).ReadAllAsync(ReadAuthenticator, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="FirstAuthenticatorAsync(CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public async Task<AuthenticatorEntity?> FirstAuthenticatorAsync(KeywardDbContext db, CancellationToken cancellationToken = default)
    {
        await using var read = await PlainCommand.CreateAsync(database, db, FirstAuthenticatorSql, cancellationToken).ConfigureAwait(false);
        return await read.ReadFirstAsync(ReadAuthenticator, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="FindAuthenticatorAsync(byte[], CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public async Task<AuthenticatorEntity?> FindAuthenticatorAsync(KeywardDbContext db, byte[] credentialId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credentialId);
        await using var read = await PlainCommand.CreateAsync(database, db, AuthenticatorByCredentialIdSql, cancellationToken).ConfigureAwait(false);
        return await read.Bind("@credential", credentialId).ReadFirstAsync(ReadAuthenticator, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The credential ids and transports of an account's keys, oldest first (<see cref="ListAuthenticatorsAsync(KeywardDbContext, Guid, CancellationToken)"/>
    /// with only what a sign-in's options use).
    /// </summary>
    public async Task<List<AllowedKey>> AllowedKeysAsync(KeywardDbContext db, Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var read = await PlainCommand.CreateAsync(database, db, AllowedKeysOfSql, cancellationToken).ConfigureAwait(false);
        return await read.Bind("@account", accountId).ReadAllAsync(ReadAllowedKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first registered key's credential id and transports, or null (<see cref="FirstAuthenticatorAsync(KeywardDbContext, CancellationToken)"/>
    /// with only what an unknown name's stand-in ids copy): the same shape, and the same one read, as <see cref="AllowedKeysAsync"/>.
    /// </summary>
    public async Task<AllowedKey?> FirstAllowedKeyAsync(KeywardDbContext db, CancellationToken cancellationToken = default)
    {
        await using var read = await PlainCommand.CreateAsync(database, db, FirstAllowedKeySql, cancellationToken).ConfigureAwait(false);
        return await read.ReadFirstAsync(ReadFirstAllowedKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RecordAssertionAsync(Guid, uint, bool, CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public async Task RecordAssertionAsync(KeywardDbContext db, Guid authenticatorId, uint signCount, bool backedUp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = Now;
        long count = signCount;
        // One plain statement behind the write gate (issue 15); the counter stays forward-only in the database itself.
        await using var update = await PlainCommand.CreateAsync(database, db, RecordAssertionSql, cancellationToken).ConfigureAwait(false);
        await update.Bind("@count", count).Bind("@backedUp", backedUp).Bind("@now", now).Bind("@id", authenticatorId)
            .WriteAsync(cancellationToken).ConfigureAwait(false);
    }

    private const string RecordAssertionSql =
        """UPDATE authenticators SET "SignCount" = CASE WHEN "SignCount" > @count THEN "SignCount" ELSE @count END, "BackedUp" = @backedUp, "LastUsedAt" = @now WHERE "Id" = @id""";
}
