using System.Security.Cryptography;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Accounts;

/// <summary>
/// An account's recovery codes: <see cref="PerAccount"/> single-use <c>XXXX-XXXX-XXXX</c> codes (60 bits each), shown
/// once, stored only as keyed hashes (<see cref="RecoveryCodeKey"/>). A code is compared in constant time against the
/// account's stored hashes, and spent by a DELETE of its row, so it works once even under concurrency.
/// </summary>
public sealed class RecoveryCodeService(KeywardDatabase database, TimeProvider time, RecoveryCodeKey key)
{
    /// <summary>How many codes an account holds.</summary>
    public const int PerAccount = 10;

    /// <summary>New codes for an account: the codes (to show once) and the rows to store with it.</summary>
    public (IReadOnlyList<string> Codes, IReadOnlyList<RecoveryCodeEntity> Rows) Generate(Guid accountId, string tenantId)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var codes = new List<string>(PerAccount);
        var rows = new List<RecoveryCodeEntity>(PerAccount);
        for (var i = 0; i < PerAccount; i++)
        {
            var code = HumanCode.Generate();
            codes.Add(code);
            rows.Add(new RecoveryCodeEntity { Id = Guid.NewGuid(), TenantId = tenantId, AccountId = accountId, CodeHash = key.Hash(accountId, HumanCode.Normalize(code)!), CreatedAt = now });
        }

        return (codes, rows);
    }

    /// <summary>Replaces every code of the account with new ones in one transaction (the old ones stop working); returns the new codes.</summary>
    public async Task<IReadOnlyList<string>> ReplaceAsync(Guid accountId, string tenantId, CancellationToken cancellationToken = default)
    {
        var (codes, rows) = Generate(accountId, tenantId);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.RecoveryCodes.Where(r => r.AccountId == accountId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        db.RecoveryCodes.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return codes;
    }

    /// <summary>How many unused codes the account holds.</summary>
    public async Task<int> CountAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.RecoveryCodes.CountAsync(r => r.AccountId == accountId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The id of the account's unused code that <paramref name="code"/> is, or null (no account, malformed, wrong or
    /// spent). Spends nothing. The hash and the lookup run even without an account, so timing does not tell the two apart.
    /// </summary>
    public async Task<Guid?> FindAsync(Guid? accountId, string? code, CancellationToken cancellationToken = default)
    {
        var normalized = HumanCode.Normalize(code);
        var id = accountId ?? Guid.Empty;
        var hash = key.Hash(id, normalized ?? string.Empty);

        // The same work whatever the input: an unknown account or a malformed code still costs the lookup.
        await using var db = database.CreateContext();
        var stored = await db.RecoveryCodes.AsNoTracking().Where(r => r.AccountId == id).Select(r => new { r.Id, r.CodeHash }).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (accountId is null || normalized is null)
        {
            return null;
        }

        Guid? found = null;
        foreach (var row in stored)
        {
            // Every stored hash is compared, each in constant time.
            if (CryptographicOperations.FixedTimeEquals(row.CodeHash, hash))
            {
                found = row.Id;
            }
        }

        return found;
    }

    /// <summary>Spends a code (by the id <see cref="FindAsync"/> returned) atomically; true for exactly one caller.</summary>
    public async Task<bool> SpendAsync(Guid codeId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.RecoveryCodes.Where(r => r.Id == codeId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
