using System.Security.Cryptography;
using Keyward.Core.Accounts;
using Keyward.Core.Storage;

namespace Keyward.Core.Tests.Storage;

/// <summary>The account the storage and single-use tests write rows for: one user in the default tenant.</summary>
internal static class TestAccounts
{
    /// <summary>Adds a user account named <paramref name="name"/> to <paramref name="database"/> and returns it.</summary>
    public static async Task<AccountEntity> AddUserAsync(KeywardDatabase database, string name = "alice")
    {
        var account = new AccountEntity
        {
            Id = Guid.NewGuid(),
            TenantId = Tenants.Default,
            Name = name,
            Role = Roles.User,
            UserHandle = RandomNumberGenerator.GetBytes(16),
        };
        await using var db = database.CreateContext();
        db.Accounts.Add(account);
        await db.SaveChangesAsync();
        return account;
    }
}
