using Keyward.Core.Accounts.Names;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Accounts;

// The reads every sign-in makes, compiled once: EF Core then neither builds nor looks up their expression trees per
// call, which was most of their cost (issue 15, item 3). Per instance, not static: a compiled query runs against one
// model only, and each KeywardDatabase (a provider, a host restarted in the same process) has its own.
public sealed partial class AccountService
{
    private readonly Func<KeywardDbContext, string, string, IAsyncEnumerable<AccountEntity>> _accountsNamed =
        EF.CompileAsyncQuery((KeywardDbContext db, string key, string exact) =>
            db.Accounts.AsNoTracking().Where(a => a.TenantId == Tenants.Default && (a.Name == key || a.Name == exact)).Take(2));

    private readonly Func<KeywardDbContext, Guid, CancellationToken, Task<AccountEntity?>> _accountById =
        EF.CompileAsyncQuery((KeywardDbContext db, Guid id, CancellationToken ct) => db.Accounts.AsNoTracking().SingleOrDefault(a => a.Id == id));

    private readonly Func<KeywardDbContext, Guid, IAsyncEnumerable<AuthenticatorEntity>> _authenticatorsOf =
        EF.CompileAsyncQuery((KeywardDbContext db, Guid accountId) =>
            db.Authenticators.AsNoTracking().Where(a => a.AccountId == accountId).OrderBy(a => a.CreatedAt).AsQueryable());

    private readonly Func<KeywardDbContext, CancellationToken, Task<AuthenticatorEntity?>> _firstAuthenticator =
        EF.CompileAsyncQuery((KeywardDbContext db, CancellationToken ct) => db.Authenticators.AsNoTracking().OrderBy(a => a.CreatedAt).FirstOrDefault());

    private readonly Func<KeywardDbContext, byte[], CancellationToken, Task<AuthenticatorEntity?>> _authenticatorByCredentialId =
        EF.CompileAsyncQuery((KeywardDbContext db, byte[] credentialId, CancellationToken ct) =>
            db.Authenticators.AsNoTracking().SingleOrDefault(a => a.CredentialId == credentialId));

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
        var found = await ListAsync(_accountsNamed(db, key, exact), cancellationToken).ConfigureAwait(false);
        return found.Find(a => string.Equals(a.Name, key, StringComparison.Ordinal)) ?? found.FirstOrDefault();
    }

    /// <summary>As <see cref="GetAccountAsync(Guid, CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public Task<AccountEntity?> GetAccountAsync(KeywardDbContext db, Guid id, CancellationToken cancellationToken = default) =>
        _accountById(db, id, cancellationToken);

    /// <summary>As <see cref="ListAuthenticatorsAsync(Guid, CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public Task<List<AuthenticatorEntity>> ListAuthenticatorsAsync(KeywardDbContext db, Guid accountId, CancellationToken cancellationToken = default) =>
        ListAsync(_authenticatorsOf(db, accountId), cancellationToken);

    /// <summary>As <see cref="FirstAuthenticatorAsync(CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public Task<AuthenticatorEntity?> FirstAuthenticatorAsync(KeywardDbContext db, CancellationToken cancellationToken = default) =>
        _firstAuthenticator(db, cancellationToken);

    /// <summary>As <see cref="FindAuthenticatorAsync(byte[], CancellationToken)"/>, on <paramref name="db"/>.</summary>
    public Task<AuthenticatorEntity?> FindAuthenticatorAsync(KeywardDbContext db, byte[] credentialId, CancellationToken cancellationToken = default) =>
        _authenticatorByCredentialId(db, credentialId, cancellationToken);

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

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(row);
        }

        return list;
    }
}
