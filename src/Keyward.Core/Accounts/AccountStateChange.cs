namespace Keyward.Core.Accounts;

/// <summary>What <see cref="AccountService.DisableAsync"/> or <see cref="AccountService.EnableAsync"/> did.</summary>
public enum AccountStateChange
{
    /// <summary>The account is now in the asked state (it was not before).</summary>
    Changed = 1,
    /// <summary>The account was already in the asked state; nothing changed.</summary>
    Unchanged,
    /// <summary>Refused: the account is the last enabled admin, and disabling it would lock every admin out.</summary>
    LastAdmin,
    /// <summary>No such account.</summary>
    NotFound,
}
