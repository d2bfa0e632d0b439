namespace Keyward.Core.Accounts;

/// <summary>One account as an admin's list shows it (<see cref="AccountService.ListAccountsAsync"/>).</summary>
/// <param name="Id">The account id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Role">Its role.</param>
/// <param name="CreatedAt">When it was created (Unix ms).</param>
/// <param name="DisabledAt">When it was disabled (Unix ms), or null.</param>
/// <param name="KeyCount">How many security keys it has.</param>
/// <param name="SessionCount">How many sessions are open (not ended, not past their absolute lifetime).</param>
public sealed record AccountSummary(Guid Id, string Name, string Role, long CreatedAt, long? DisabledAt, int KeyCount, int SessionCount);
