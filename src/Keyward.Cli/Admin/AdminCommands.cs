using System.CommandLine;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;

namespace Keyward.Cli.Admin;

/// <summary>
/// <c>keyward admin recover --data-dir DIR --account NAME</c>: break-glass, run on the server itself when an account
/// (the last admin, say) has lost every key and every recovery code. Opens the database directly, records the decision
/// in the audit log, and prints a single-use setup code that registers a new key for that account within 15 minutes.
/// Exit 0 printed, 1 the database failed, 2 unusable input (no database, unknown account).
/// </summary>
internal static class AdminCommands
{
    /// <summary>How long a break-glass code works.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(15);

    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keyward's data directory (its database). Default: Keyward:DataDirectory, or ./data." };
        var account = new Option<string>("--account") { Description = "The account that gets a new key.", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "The JSON settings file keyward serve uses (for Keyward:Storage)." };
        var overrides = Keyward.Cli.Broker.SettingArguments.Create("--Keyward:Storage:Setting=value");
        var recover = new Command("recover", "Break-glass: print a one-time setup code (15 minutes) that registers a new key for an existing account. Run it on the server; it is audited. Any --Keyward:Storage:Setting=value argument overrides configuration.")
        {
            overrides,
        };
        recover.Options.Add(dataDir);
        recover.Options.Add(account);
        recover.Options.Add(config);
        recover.SetAction((parse, ct) =>
        {
            if (ServerSideSettings.Load(parse, dataDir, config, overrides) is not { } loaded)
            {
                return Task.FromResult(2);
            }

            var (_, directory, storage) = loaded;

            return RecoverAsync(directory, storage, parse.GetValue(account)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, TimeProvider.System, ct);
        });

        var admin = new Command("admin", "Administration: invites and accounts (through Keyward's admin API), and break-glass recovery (on the server itself).");
        admin.Subcommands.Add(recover);
        admin.Subcommands.Add(RecoverQuorum());
        admin.Subcommands.Add(Broker.SensitiveCommands.Invite());
        admin.Subcommands.Add(Operators.AccountCommands.Accounts());
        return admin;
    }

    /// <summary><c>keyward admin recover-quorum</c>: break-glass for a stranded approval policy (docs/approvals.md), on the server.</summary>
    private static Command RecoverQuorum()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keyward's data directory (its database). Default: Keyward:DataDirectory, or ./data." };
        var policy = new Option<string>("--policy") { Description = "The stranded approval policy's name.", Required = true };
        var group = new Option<string>("--group") { Description = "The group to restore.", Required = true };
        var threshold = new Option<int?>("--threshold") { Description = "The group's new threshold (at least 1, at most its active approvers)." };
        var addApprover = new Option<string?>("--add-approver") { Description = "An account to add to the group as an approver." };
        var config = new Option<FileInfo?>("--config") { Description = "The JSON settings file keyward serve uses (for Keyward:Storage)." };
        var overrides = Keyward.Cli.Broker.SettingArguments.Create("--Keyward:Storage:Setting=value");
        var command = new Command("recover-quorum", "Break-glass: restore a quorum to a stranded approval policy (add an approver and/or lower the group's threshold). Run it on the server; it is audited and withdraws the policy's pending requests.")
        {
            overrides,
        };
        foreach (var option in new Option[] { dataDir, policy, group, threshold, addApprover, config })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            if (ServerSideSettings.Load(parse, dataDir, config, overrides) is not { } loaded)
            {
                return 2;
            }

            var (_, directory, storage) = loaded;

            var error = parse.InvocationConfiguration.Error;
            if (storage.Provider == StorageProvider.Sqlite && storage.ConnectionString is null && !File.Exists(Path.Combine(directory, "keyward.db")))
            {
                await error.WriteLineAsync($"No Keyward database in {directory}: pass --data-dir, or --Keyward:Storage:Provider=Postgres with a connection string.").ConfigureAwait(false);
                return 2;
            }

            try
            {
                var database = new KeywardDatabase(storage, directory);
                await database.MigrateAsync(TimeProvider.System, ct).ConfigureAwait(false);
                return await Approvals.QuorumRecovery.RunAsync(
                    database, parse.GetValue(policy)!, parse.GetValue(group)!, parse.GetValue(threshold), parse.GetValue(addApprover), parse.InvocationConfiguration.Output, error, TimeProvider.System, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or AuditUnavailableException or IOException)
            {
                await error.WriteLineAsync($"Keyward's database in {directory} could not be used ({e.GetType().Name}); check the policy (GET /api/approvals/policies) and the audit log.").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Issues and prints a break-glass code for <paramref name="accountName"/>; the exit code.</summary>
    internal static async Task<int> RecoverAsync(
        string dataDirectory, StorageOptions storage, string accountName, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (storage.Provider == StorageProvider.Sqlite && storage.ConnectionString is null && !File.Exists(Path.Combine(dataDirectory, "keyward.db")))
        {
            await error.WriteLineAsync($"No Keyward database in {dataDirectory}: pass --data-dir, or --Keyward:Storage:Provider=Postgres with a connection string.").ConfigureAwait(false);
            return 2;
        }

        try
        {
            var database = new KeywardDatabase(storage, dataDirectory);
            await database.MigrateAsync(time, cancellationToken).ConfigureAwait(false);
            var accounts = new AccountService(database, time);
            var account = await accounts.FindAccountByTypedNameAsync(accountName, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                await error.WriteLineAsync($"No account named \"{accountName}\" in this Keyward. Check the name (keyward audit export lists who signed in).").ConfigureAwait(false);
                return 2;
            }

            if (account.DisabledAt is not null)
            {
                await error.WriteLineAsync($"The account \"{account.Name}\" is disabled: a new key would not sign in. An admin enables it first (keyward admin accounts enable {account.Name}).").ConfigureAwait(false);
                return 2;
            }

            // Decide, record, act: the audit log holds the issue before the code exists.
            await using (var audit = new AuditLog(database, time, new AuditOptions()))
            {
                await audit.RecordAsync(
                    new AuditRecord
                    {
                        Actor = "system",
                        Action = AuditActions.BreakGlassCodeIssued,
                        Target = account.Name,
                        Outcome = AuditOutcomes.Success,
                        Details = new Dictionary<string, string>
                        {
                            ["account_id"] = account.Id.ToString(),
                            ["via"] = "keyward admin recover",
                            ["user"] = Environment.UserName,
                        },
                    },
                    CancellationToken.None).ConfigureAwait(false);
            }

            var code = await accounts.IssueBreakGlassCodeAsync(account.Id, CodeLifetime, CancellationToken.None).ConfigureAwait(false);
            await output.WriteLineAsync($"Break-glass setup code for {account.Name} (single use, valid 15 minutes): {code}").ConfigureAwait(false);
            await output.WriteLineAsync($"Register a new key with it: on the sign-in page's setup form, or keyward register --setup-code {code} --username {account.Name}").ConfigureAwait(false);
            await output.WriteLineAsync("It ends every session of the account. This was recorded in the audit log.").ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or AuditUnavailableException or IOException)
        {
            await error.WriteLineAsync($"Keyward's database in {dataDirectory} could not be used ({e.GetType().Name}); nothing was issued.").ConfigureAwait(false);
            return 1;
        }
    }
}
