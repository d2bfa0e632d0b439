using Keyward.Core.Accounts;
using Keyward.Core.Accounts.Names;
using Keyward.Server.Http;

namespace Keyward.Server.Accounts;

/// <summary>
/// At start, after storage is migrated: reports to the admin, as warnings in the log, the accounts named before names
/// were prepared (RFC 8265) whose names are not in prepared form or break the rules (mixed scripts, say), and every
/// group of accounts whose names collide once prepared (<c>Bob</c> and <c>bob</c>). They are reported, never renamed:
/// renaming would change who signs in as whom. Lines name account ids and the rule, never the names themselves. It
/// also loads ICU the first time, so a host without it stops here instead of comparing names unprepared.
/// </summary>
internal sealed partial class AccountNameReport(AccountService accounts, ILogger<AccountNameReport> logger) : IHostedService
{
    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var names = await accounts.ListAccountNamesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (id, name) in names)
        {
            var fault = AccountName.TryPrepare(name, out var prepared, out var why) ? AccountNameFault.None : why;
            if (fault != AccountNameFault.None || !string.Equals(prepared!.Value, name, StringComparison.Ordinal))
            {
                Log.NotPrepared(logger, id, fault == AccountNameFault.None ? "NotPrepared" : fault.ToString());
            }
        }

        foreach (var group in names.GroupBy(n => AccountName.LookupKey(n.Name), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Log.LookAlike(logger, string.Join(", ", group.Select(n => n.Id)));
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The 2000 band (KeywardEventIds). Account ids only.
    private static partial class Log
    {
        [LoggerMessage(KeywardEventIds.AccountNameLookAlike, LogLevel.Warning, "Accounts {AccountIds} have names that are one name once prepared (RFC 8265: case, width, composition). They were created before names were prepared; sign-in by name finds each only by its exact spelling. Review them; Keyward does not rename accounts.")]
        public static partial void LookAlike(ILogger logger, string accountIds);

        [LoggerMessage(KeywardEventIds.AccountNameNotPrepared, LogLevel.Warning, "Account {AccountId} was named before names were prepared, and its name fails the rules now ({Rule}); it still signs in by its exact spelling. Review it; Keyward does not rename accounts.")]
        public static partial void NotPrepared(ILogger logger, Guid accountId, string rule);
    }
}
