using System.Globalization;

namespace Keyward.Core.Agents;

/// <summary>Who may join a machine's support sessions: these accounts, and every account with one of these roles.</summary>
/// <param name="Accounts">Account ids.</param>
/// <param name="Roles">Role names (<see cref="Keyward.Core.Accounts.Roles"/>).</param>
public sealed record Joiners(IReadOnlyList<Guid> Accounts, IReadOnlyList<string> Roles)
{
    /// <summary>The most accounts one machine's list may name.</summary>
    public const int MaxAccounts = 100;

    /// <summary>The default: admins only.</summary>
    public static Joiners AdminsOnly { get; } = new([], [Keyward.Core.Accounts.Roles.Admin]);

    /// <summary>True when <paramref name="accountId"/> with <paramref name="role"/> may join.</summary>
    public bool Allows(Guid accountId, string role) => Accounts.Contains(accountId) || Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>The stored form of the accounts: ids separated by spaces.</summary>
    internal string StoredAccounts => string.Join(' ', Accounts.Distinct().Select(a => a.ToString("D", CultureInfo.InvariantCulture)));

    /// <summary>The stored form of the roles: names separated by spaces.</summary>
    internal string StoredRoles => string.Join(' ', Roles.Where(Keyward.Core.Accounts.Roles.IsKnown).Distinct(StringComparer.Ordinal));

    /// <summary>Reads the stored form back.</summary>
    internal static Joiners Read(string accounts, string roles) => new(
        [.. accounts.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => Guid.Parse(a, CultureInfo.InvariantCulture))],
        [.. roles.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
}
