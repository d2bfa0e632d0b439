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

    private readonly Func<KeywardDbContext, byte[], CancellationToken, Task<AuthenticatorEntity?>> _authenticatorByCredentialId =
        EF.CompileAsyncQuery((KeywardDbContext db, byte[] credentialId, CancellationToken ct) =>
            db.Authenticators.AsNoTracking().SingleOrDefault(a => a.CredentialId == credentialId));

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
