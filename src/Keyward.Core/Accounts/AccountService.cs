using System.Data;
using System.Data.Common;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Accounts;

/// <summary>Accounts, their authenticators, invites and the first-start setup code.</summary>
public sealed partial class AccountService(KeywardDatabase database, TimeProvider time)
{
    private const string SetupPurpose = "setup";

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>True once any admin exists.</summary>
    public async Task<bool> HasAdminAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.Accounts.AnyAsync(a => a.Role == Roles.Admin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Issues a fresh single-use setup code when no admin exists (any earlier code is void), or returns null.
    /// The code is returned once to be printed; only its hash is stored.
    /// </summary>
    public async Task<string?> IssueSetupCodeAsync(TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        if (await HasAdminAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return await ReplaceSetupCodeAsync(accountId: null, lifetime, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the setup code is currently valid (unused, unexpired); does not consume it.</summary>
    public async Task<bool> IsSetupCodeValidAsync(string? code, CancellationToken cancellationToken = default)
    {
        var normalized = HumanCode.Normalize(code);
        if (normalized is null)
        {
            return false;
        }

        var hash = HumanCode.Hash(SetupPurpose, normalized);
        var now = Now;
        await using var db = database.CreateContext();
        return await db.SetupCodes.AnyAsync(s => s.CodeHash == hash && s.AccountId == null && s.UsesLeft > 0 && s.ExpiresAt > now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Issues a break-glass setup code for an existing account (<c>keyward admin recover</c>): single use, it registers
    /// a new key for that account. Any earlier break-glass code of the account is void. Returned once; only its hash is stored.
    /// </summary>
    public Task<string> IssueBreakGlassCodeAsync(Guid accountId, TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        ReplaceSetupCodeAsync(accountId, lifetime, cancellationToken);

    // A new single-use setup code (the first admin's when accountId is null, else that account's break-glass code); the
    // earlier one of the same kind is void. Returned once; only its hash is stored.
    private async Task<string> ReplaceSetupCodeAsync(Guid? accountId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var code = HumanCode.Generate();
        await using var db = database.CreateContext();
        await db.SetupCodes.Where(s => s.AccountId == accountId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        db.SetupCodes.Add(new SetupCodeEntity
        {
            Id = Guid.NewGuid(),
            CodeHash = HumanCode.Hash(SetupPurpose, HumanCode.Normalize(code)!),
            UsesLeft = 1,
            ExpiresAt = Now + (long)lifetime.TotalMilliseconds,
            CreatedAt = Now,
            AccountId = accountId,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <summary>The account a currently valid break-glass code names, or null; does not consume it.</summary>
    public async Task<Guid?> FindBreakGlassAccountAsync(string? code, CancellationToken cancellationToken = default)
    {
        var normalized = HumanCode.Normalize(code);
        if (normalized is null)
        {
            return null;
        }

        var hash = HumanCode.Hash(SetupPurpose, normalized);
        var now = Now;
        await using var db = database.CreateContext();
        return await db.SetupCodes.Where(s => s.CodeHash == hash && s.AccountId != null && s.UsesLeft > 0 && s.ExpiresAt > now)
            .Select(s => s.AccountId).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Consumes the first-start setup code atomically; true for exactly one caller.</summary>
    public Task<bool> ConsumeSetupCodeAsync(string? code, CancellationToken cancellationToken = default) => ConsumeSetupCodeAsync(code, null, cancellationToken);

    /// <summary>
    /// Consumes a setup code atomically: the first-start code when <paramref name="accountId"/> is null, else that
    /// account's break-glass code. True for exactly one caller.
    /// </summary>
    public async Task<bool> ConsumeSetupCodeAsync(string? code, Guid? accountId, CancellationToken cancellationToken = default)
    {
        var normalized = HumanCode.Normalize(code);
        if (normalized is null)
        {
            return false;
        }

        var hash = HumanCode.Hash(SetupPurpose, normalized);
        var now = Now;
        await using var db = database.CreateContext();
        var updated = await db.SetupCodes
            .Where(s => s.CodeHash == hash && s.AccountId == accountId && s.UsesLeft > 0 && s.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.UsesLeft, x => x.UsesLeft - 1), cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>
    /// Creates a single-use invite for an account name and role; returns the <c>kwi_</c> token once. A caller that must
    /// name the invite before it exists (to audit it first) passes <paramref name="inviteId"/>. An invite that names
    /// <paramref name="existingAccountId"/> re-enrolls that account: it registers a new key for it.
    /// </summary>
    public async Task<(string Token, InviteEntity Invite)> CreateInviteAsync(
        string accountName, string role, Guid? createdBy, TimeSpan lifetime, Guid? inviteId = null, Guid? existingAccountId = null, CancellationToken cancellationToken = default)
    {
        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"Unknown role \"{role}\".", nameof(role));
        }

        var token = SecretToken.Generate(CredentialKind.Invite);
        var invite = new InviteEntity
        {
            Id = inviteId ?? Guid.NewGuid(),
            TenantId = Tenants.Default,
            TokenHash = SecretToken.Hash(CredentialKind.Invite, token),
            AccountName = accountName,
            Role = role,
            UsesLeft = 1,
            ExpiresAt = Now + (long)lifetime.TotalMilliseconds,
            CreatedBy = createdBy,
            CreatedAt = Now,
            AccountId = existingAccountId,
        };
        await using var db = database.CreateContext();
        db.Invites.Add(invite);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (token, invite);
    }

    /// <summary>The invite a token names if it is usable now; does not consume it.</summary>
    public async Task<InviteEntity?> FindUsableInviteAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.IsWellFormed(CredentialKind.Invite, token))
        {
            return null;
        }

        var hash = SecretToken.Hash(CredentialKind.Invite, token!);
        var now = Now;
        await using var db = database.CreateContext();
        return await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash && i.UsesLeft > 0 && i.ExpiresAt > now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Consumes an invite atomically; true for exactly one caller.</summary>
    public async Task<bool> ConsumeInviteAsync(Guid inviteId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        var updated = await db.Invites
            .Where(i => i.Id == inviteId && i.UsesLeft > 0 && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.UsesLeft, x => x.UsesLeft - 1), cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>An account by name in the default tenant.</summary>
    public async Task<AccountEntity?> FindAccountAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.TenantId == Tenants.Default && a.Name == name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The account a person means by the name they typed: the one stored under its prepared form
    /// (<see cref="AccountName.LookupKey"/>: <c>BOB</c> and <c>ｂｏｂ</c> find <c>bob</c>), else one stored, before names
    /// were prepared, under exactly the typed spelling. One read either way.
    /// </summary>
    public async Task<AccountEntity?> FindAccountByTypedNameAsync(string typed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typed);
        if (typed.Length > AccountName.MaxInputLength)
        {
            return null;
        }

        await using var db = database.CreateContext();
        return await FindAccountByTypedNameAsync(db, typed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An existing account whose name is, or looks like, <paramref name="name"/>: stored as it, or stored before names
    /// were prepared under a spelling that prepares to it (<c>Bob</c>, <c>ＢＯＢ</c> for <c>bob</c>). New names are
    /// stored prepared and the unique index keeps them apart; the names from before are few and never grow, so they
    /// are read and compared here (registration and invites only).
    /// </summary>
    public async Task<AccountEntity?> FindLookAlikeAsync(AccountName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var db = database.CreateContext();
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.TenantId == Tenants.Default).ToListAsync(cancellationToken).ConfigureAwait(false);
        return accounts.Find(a => string.Equals(a.Name, name.Value, StringComparison.Ordinal))
            ?? accounts.Find(a => string.Equals(AccountName.LookupKey(a.Name), name.Value, StringComparison.Ordinal));
    }

    /// <summary>Every account's id and name, in the default tenant (the look-alike report at start).</summary>
    public async Task<List<(Guid Id, string Name)>> ListAccountNamesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        var rows = await db.Accounts.AsNoTracking().Where(a => a.TenantId == Tenants.Default).OrderBy(a => a.CreatedAt)
            .Select(a => new { a.Id, a.Name }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => (r.Id, r.Name))];
    }

    /// <summary>An account by id.</summary>
    public async Task<AccountEntity?> GetAccountAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await GetAccountAsync(db, id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An account by WebAuthn user handle (discoverable sign-in).</summary>
    public async Task<AccountEntity?> FindAccountByUserHandleAsync(byte[] userHandle, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserHandle == userHandle, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates an account (if new) and its first or next authenticator in one transaction. Returns null when the
    /// credential id is already registered (WebAuthn L3 §7.1 step 26).
    /// </summary>
    public Task<(AccountEntity Account, AuthenticatorEntity Authenticator)?> RegisterAsync(AccountEntity account, AuthenticatorEntity authenticator, bool newAccount, CancellationToken cancellationToken = default) =>
        RegisterAsync(account, authenticator, newAccount, [], cancellationToken);

    /// <summary>
    /// As <see cref="RegisterAsync(AccountEntity, AuthenticatorEntity, bool, CancellationToken)"/>, storing a new
    /// account's <paramref name="recoveryCodes"/> in the same transaction.
    /// </summary>
    public async Task<(AccountEntity Account, AuthenticatorEntity Authenticator)?> RegisterAsync(
        AccountEntity account, AuthenticatorEntity authenticator, bool newAccount, IReadOnlyList<RecoveryCodeEntity> recoveryCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(authenticator);
        await using var db = database.CreateContext();
        if (await db.Authenticators.AnyAsync(a => a.CredentialId == authenticator.CredentialId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        if (newAccount)
        {
            db.Accounts.Add(account);
        }

        db.Authenticators.Add(authenticator);
        db.RecoveryCodes.AddRange(recoveryCodes ?? []);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // A unique index said no: the credential id or the account name was taken meanwhile.
            return null;
        }

        return (account, authenticator);
    }

    /// <summary>The authenticators of an account.</summary>
    public async Task<List<AuthenticatorEntity>> ListAuthenticatorsAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await ListAuthenticatorsAsync(db, accountId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first registered authenticator of any account, or null: sign-in copies its form (credential id length,
    /// transports) into the stand-in ids it offers for unknown names, so they look like this installation's keys.
    /// </summary>
    public async Task<AuthenticatorEntity?> FirstAuthenticatorAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await FirstAuthenticatorAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An authenticator by credential id.</summary>
    public async Task<AuthenticatorEntity?> FindAuthenticatorAsync(byte[] credentialId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await FindAuthenticatorAsync(db, credentialId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a verified assertion: the new counter, BS, and the use time. The counter only moves forward, in the
    /// database, so two racing sign-ins with the same authenticator cannot roll it back.
    /// </summary>
    public async Task RecordAssertionAsync(Guid authenticatorId, uint signCount, bool backedUp, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        await RecordAssertionAsync(db, authenticatorId, signCount, backedUp, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renames an authenticator of the account; false when it is not theirs.</summary>
    public async Task<bool> RenameAuthenticatorAsync(Guid accountId, Guid authenticatorId, string name, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.Authenticators.Where(a => a.Id == authenticatorId && a.AccountId == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Name, name), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Removes an authenticator of the account; false when it is not theirs. The caller ends its sessions.</summary>
    public async Task<bool> RemoveAuthenticatorAsync(Guid accountId, Guid authenticatorId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.Authenticators.Where(a => a.Id == authenticatorId && a.AccountId == accountId)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Disables an account: it may not sign in and its sessions are refused until <see cref="EnableAsync"/>. The caller
    /// ends its sessions. Refuses the last enabled admin (<see cref="AccountStateChange.LastAdmin"/>): the check and the
    /// write run in one serializable transaction, so two admins disabling each other at once cannot both succeed.
    /// </summary>
    public async Task<AccountStateChange> DisableAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        // PostgreSQL aborts one of two racing serializable transactions (SQLSTATE 40001): run it again, and it sees the
        // other's write. SQLite takes the write lock at BEGIN, so it never needs this.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryDisableAsync(accountId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (attempt < 5 && IsSerializationFailure(e))
            {
                // The other transaction committed: the next attempt reads its write.
            }
        }
    }

    private async Task<AccountStateChange> TryDisableAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.Id == accountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return AccountStateChange.NotFound;
        }

        if (account.DisabledAt is not null)
        {
            return AccountStateChange.Unchanged;
        }

        if (account.Role == Roles.Admin
            && !await db.Accounts.AnyAsync(a => a.Role == Roles.Admin && a.DisabledAt == null && a.Id != accountId, cancellationToken).ConfigureAwait(false))
        {
            return AccountStateChange.LastAdmin;
        }

        account.DisabledAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return AccountStateChange.Changed;
    }

    private static bool IsSerializationFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is DbException { SqlState: "40001" })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when an enabled admin other than <paramref name="accountId"/> exists.</summary>
    public async Task<bool> HasOtherEnabledAdminAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        return await db.Accounts.AnyAsync(a => a.Role == Roles.Admin && a.DisabledAt == null && a.Id != accountId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enables a disabled account: it may sign in again (its ended sessions stay ended).</summary>
    public async Task<AccountStateChange> EnableAsync(Guid accountId, CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        if (!await db.Accounts.AnyAsync(a => a.Id == accountId, cancellationToken).ConfigureAwait(false))
        {
            return AccountStateChange.NotFound;
        }

        var updated = await db.Accounts.Where(a => a.Id == accountId && a.DisabledAt != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.DisabledAt, (long?)null), cancellationToken).ConfigureAwait(false);
        return updated == 1 ? AccountStateChange.Changed : AccountStateChange.Unchanged;
    }

    /// <summary>
    /// A page of the default tenant's accounts ordered by name, after <paramref name="after"/> (the last name of the
    /// previous page), with how many keys and live sessions each has.
    /// </summary>
    public async Task<List<AccountSummary>> ListAccountsAsync(string? after, int limit, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        var query = db.Accounts.AsNoTracking().Where(a => a.TenantId == Tenants.Default);
        if (!string.IsNullOrEmpty(after))
        {
            query = query.Where(a => string.Compare(a.Name, after) > 0);
        }

        return await query.OrderBy(a => a.Name).Take(limit)
            .Select(a => new AccountSummary(
                a.Id, a.Name, a.Role, a.CreatedAt, a.DisabledAt,
                db.Authenticators.Count(k => k.AccountId == a.Id),
                db.Sessions.Count(s => s.AccountId == a.Id && s.RevokedAt == null && s.ExpiresAt > now)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The default tenant's pending invites (unused, unexpired), oldest first; never their tokens.</summary>
    public async Task<List<InviteEntity>> ListPendingInvitesAsync(int limit, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        return await db.Invites.AsNoTracking().Where(i => i.TenantId == Tenants.Default && i.UsesLeft > 0 && i.ExpiresAt > now)
            .OrderBy(i => i.CreatedAt).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a pending invite (it can no longer be used); false when no pending invite has that id.</summary>
    public async Task<bool> RevokeInviteAsync(Guid inviteId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        return await db.Invites.Where(i => i.Id == inviteId && i.TenantId == Tenants.Default && i.UsesLeft > 0 && i.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsesLeft, 0), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>A pending invite by id, or null.</summary>
    public async Task<InviteEntity?> FindPendingInviteAsync(Guid inviteId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        await using var db = database.CreateContext();
        return await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Id == inviteId && i.TenantId == Tenants.Default && i.UsesLeft > 0 && i.ExpiresAt > now, cancellationToken).ConfigureAwait(false);
    }
}
