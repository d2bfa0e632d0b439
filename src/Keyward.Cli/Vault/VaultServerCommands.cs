using System.CommandLine;
using System.Globalization;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Keyward.Cli.Vault;

/// <summary>
/// The vault's server-side commands, run on the server itself against its data directory (as <c>keyward admin
/// recover</c> is): <c>keyward vault rekey</c> (re-wrap every data key of an older epoch under the current one,
/// resumable, with progress) and <c>keyward vault epochs [retire N]</c>. They read <c>Keyward:Storage</c> and
/// <c>Keyward:Vault</c> from the same settings file and environment as <c>keyward serve</c>, check the configured keys
/// against the recorded epochs first, and record every change in the audit log before making it.
/// Exit 0 done, 1 the database or a key failed (or rows did not authenticate), 2 unusable input or configuration.
/// Advancing an epoch is not here: it is an approval operation (docs/vault.md, "Epochs").
/// </summary>
internal static class VaultServerCommands
{
    public static Command Rekey()
    {
        var (dataDir, config, overrides) = CommonOptions();
        var rekey = new Command("rekey", "Re-wrap every data key of an older epoch under the current one (run on the server; resumable: run it again after a stop). Then retire the old epoch with keyward vault epochs retire N.")
        {
            overrides,
        };
        rekey.Options.Add(dataDir);
        rekey.Options.Add(config);
        rekey.SetAction((parse, ct) => Run(parse, dataDir, config, overrides, (place, output, error) =>
            RekeyAsync(place, output, error, TimeProvider.System, ct)));
        return rekey;
    }

    public static Command Epochs()
    {
        var (dataDir, config, overrides) = CommonOptions();
        var epochs = new Command("epochs", "List the vault's key epochs (state, key id, data keys wrapped under each); run on the server.")
        {
            overrides,
        };
        epochs.Options.Add(dataDir);
        epochs.Options.Add(config);
        epochs.SetAction((parse, ct) => Run(parse, dataDir, config, overrides, (place, output, error) =>
            ListEpochsAsync(place, output, error, TimeProvider.System, ct)));

        var (retireDataDir, retireConfig, retireOverrides) = CommonOptions();
        var number = new Argument<int>("epoch") { Description = "The epoch to retire: not the current one, and with no data key left under it (run keyward vault rekey first)." };
        var retire = new Command("retire", "Retire an old epoch after a rekey; its key may then be removed from the configuration.")
        {
            number,
            retireOverrides,
        };
        retire.Options.Add(retireDataDir);
        retire.Options.Add(retireConfig);
        retire.SetAction((parse, ct) => Run(parse, retireDataDir, retireConfig, retireOverrides, (place, output, error) =>
            RetireAsync(place, parse.GetValue(number), output, error, TimeProvider.System, ct)));
        epochs.Subcommands.Add(retire);
        return epochs;
    }

    /// <summary>Re-wraps every older data key, printing progress after each batch; the exit code.</summary>
    internal static Task<int> RekeyAsync(VaultPlace place, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken) =>
        WithVaultAsync(place, error, time, async (database, keys) =>
        {
            var epochs = new VaultEpochs(database, keys, time);
            var current = await epochs.CurrentAsync(cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                await error.WriteLineAsync(VaultFailures.Message(VaultFailure.NoEpoch)).ConfigureAwait(false);
                return 2;
            }

            var older = (await epochs.ListAsync(cancellationToken).ConfigureAwait(false)).Where(e => e.Number < current.Number && e.DataKeys > 0).ToList();
            var pending = older.Sum(e => e.DataKeys);
            if (pending == 0)
            {
                await output.WriteLineAsync($"Nothing to rekey: every data key is wrapped under the current epoch {current.Number}.").ConfigureAwait(false);
                return 0;
            }

            // Decide, record, act.
            await RecordAsync(database, time, VaultAuditActions.Rekeyed, $"epoch/{current.Number}", new Dictionary<string, string>
            {
                ["state"] = "started",
                ["epoch"] = current.Number.ToString(CultureInfo.InvariantCulture),
                ["pending"] = pending.ToString(CultureInfo.InvariantCulture),
                ["from_epochs"] = string.Join(',', older.Select(e => e.Number)),
            }).ConfigureAwait(false);
            await output.WriteLineAsync($"Re-wrapping {pending} data keys of epochs {string.Join(", ", older.Select(e => e.Number))} under epoch {current.Number}.").ConfigureAwait(false);
            var progress = new Reporter(output);
            var outcome = await new VaultRekey(database, keys, place.Vault).RunAsync(0, progress, cancellationToken).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                await error.WriteLineAsync($"The rekey stopped ({VaultFailures.Code(outcome.Failure!.Value)}): {VaultFailures.Message(outcome.Failure.Value)} Run it again to resume.").ConfigureAwait(false);
                return 1;
            }

            var done = outcome.Value!;
            await RecordAsync(database, time, VaultAuditActions.Rekeyed, $"epoch/{current.Number}", new Dictionary<string, string>
            {
                ["state"] = "finished",
                ["epoch"] = done.Epoch.ToString(CultureInfo.InvariantCulture),
                ["rewrapped"] = done.Rewrapped.ToString(CultureInfo.InvariantCulture),
                ["skipped"] = done.Skipped.ToString(CultureInfo.InvariantCulture),
                ["failed"] = done.Failed.ToString(CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
            await output.WriteLineAsync($"Done: {done.Rewrapped} re-wrapped, {done.Skipped} already moved by another run, {done.Failed} did not authenticate.").ConfigureAwait(false);
            if (done.Failed > 0)
            {
                await error.WriteLineAsync($"{done.Failed} data keys did not authenticate (rows changed in the database?); they were left as they were and keep their epoch in use.").ConfigureAwait(false);
                return 1;
            }

            await output.WriteLineAsync($"Older epochs can now be retired: keyward vault epochs retire <epoch>.").ConfigureAwait(false);
            return 0;
        });

    /// <summary>Prints every epoch; the exit code.</summary>
    internal static Task<int> ListEpochsAsync(VaultPlace place, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken) =>
        WithVaultAsync(place, error, time, async (database, keys) =>
        {
            var epochs = await new VaultEpochs(database, keys, time).ListAsync(cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"{"EPOCH",-6} {"STATE",-9} {"KEY ID",-21} {"DATA KEYS",10}  CREATED").ConfigureAwait(false);
            foreach (var epoch in epochs)
            {
                var retired = epoch.RetiredAt is { } at ? $", retired {at.UtcDateTime:yyyy-MM-dd HH:mm}Z" : string.Empty;
                await output.WriteLineAsync($"{epoch.Number,-6} {epoch.State,-9} {epoch.KeyId,-21} {epoch.DataKeys,10}  {epoch.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z{retired}").ConfigureAwait(false);
            }

            return 0;
        });

    /// <summary>Retires an epoch (audited before); the exit code.</summary>
    internal static Task<int> RetireAsync(VaultPlace place, int epoch, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken) =>
        WithVaultAsync(place, error, time, async (database, keys) =>
        {
            var epochs = new VaultEpochs(database, keys, time);
            var before = (await epochs.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Number == epoch);
            if (before is { State: VaultEpochStates.Retired })
            {
                await output.WriteLineAsync($"Epoch {epoch} is already retired.").ConfigureAwait(false);
                return 0;
            }

            var failure = before switch
            {
                null => VaultFailure.EpochUnknown,
                { State: VaultEpochStates.Current } => VaultFailure.EpochCurrent,
                { DataKeys: > 0 } => VaultFailure.EpochInUse,
                _ => (VaultFailure?)null,
            };
            if (failure is null)
            {
                await RecordAsync(database, time, VaultAuditActions.EpochRetired, $"epoch/{epoch}", new Dictionary<string, string> { ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture) }).ConfigureAwait(false);
                var retired = await epochs.RetireAsync(epoch, cancellationToken).ConfigureAwait(false);
                failure = retired.Failure;
            }

            if (failure is { } refused)
            {
                await RecordAsync(database, time, VaultAuditActions.Refused, $"epoch/{epoch}", new Dictionary<string, string> { ["code"] = VaultFailures.Code(refused), ["operation"] = "retire" }, AuditOutcomes.Denied).ConfigureAwait(false);
                await error.WriteLineAsync($"Epoch {epoch} was not retired ({VaultFailures.Code(refused)}): {VaultFailures.Message(refused)}").ConfigureAwait(false);
                return 2;
            }

            await output.WriteLineAsync($"Epoch {epoch} is retired. Its key ({VaultOptions.Section}:Keys:{epoch}) may now be removed from the configuration.").ConfigureAwait(false);
            return 0;
        });

    private static (Option<DirectoryInfo?> DataDir, Option<FileInfo?> Config, Argument<string[]> Overrides) CommonOptions() => (
        new Option<DirectoryInfo?>("--data-dir") { Description = "Keyward's data directory (its database). Default: Keyward:DataDirectory, or ./data." },
        new Option<FileInfo?>("--config") { Description = "The JSON settings file keyward serve uses (for Keyward:Storage and Keyward:Vault)." },
        Keyward.Cli.Broker.SettingArguments.Create("--Keyward:Vault:Setting=value"));

    private static Task<int> Run(
        ParseResult parse, Option<DirectoryInfo?> dataDir, Option<FileInfo?> config, Argument<string[]> overrides, Func<VaultPlace, TextWriter, TextWriter, Task<int>> action)
    {
        var error = parse.InvocationConfiguration.Error;
        if (Admin.ServerSideSettings.Load(parse, dataDir, config, overrides) is not { } loaded)
        {
            return Task.FromResult(2);
        }

        var (settings, directory, storage) = loaded;

        VaultOptions vault;
        try
        {
            vault = settings.GetSection(VaultOptions.Section).Get<VaultOptions>() ?? new VaultOptions();
        }
        catch (InvalidOperationException)
        {
            error.WriteLine($"{VaultOptions.Section} could not be read: check its numbers (MaxValueBytes, RekeyBatchSize, the epoch numbers under Keys).");
            return Task.FromResult(2);
        }

        return action(new VaultPlace(directory, storage, vault), parse.InvocationConfiguration.Output, error);
    }

    // Opens the database and the keys, checked against the recorded epochs, and runs the action; config problems exit 2.
    private static async Task<int> WithVaultAsync(VaultPlace place, TextWriter error, TimeProvider time, Func<KeywardDatabase, LocalKeyEncryptionKeys, Task<int>> action)
    {
        if (place.Storage.Provider == StorageProvider.Sqlite && place.Storage.ConnectionString is null && !File.Exists(Path.Combine(place.DataDirectory, "keyward.db")))
        {
            await error.WriteLineAsync($"No Keyward database in {place.DataDirectory}: pass --data-dir, or --Keyward:Storage:Provider=Postgres with a connection string.").ConfigureAwait(false);
            return 2;
        }

        if (place.Vault.Keys.Count == 0)
        {
            await error.WriteLineAsync($"The vault is off here: no {VaultOptions.Section}:Keys:<epoch> is configured. Pass the settings file keyward serve uses (--config) or the keys (--{VaultOptions.Section}:Keys:1:File=…).").ConfigureAwait(false);
            return 2;
        }

        LocalKeyEncryptionKeys keys;
        try
        {
            keys = LocalKeyEncryptionKeys.Load(place.Vault);
        }
        catch (VaultConfigurationException e)
        {
            foreach (var problem in e.Problems)
            {
                await error.WriteLineAsync(problem).ConfigureAwait(false);
            }

            return 2;
        }

        try
        {
            using (keys)
            {
                var database = new KeywardDatabase(place.Storage, place.DataDirectory);
                await database.MigrateAsync(time, CancellationToken.None).ConfigureAwait(false);
                var problems = await new VaultEpochs(database, keys, time).CheckKeysAsync(CancellationToken.None).ConfigureAwait(false);
                if (problems.Count > 0)
                {
                    foreach (var problem in problems)
                    {
                        await error.WriteLineAsync(problem).ConfigureAwait(false);
                    }

                    return 2;
                }

                return await action(database, keys).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or AuditUnavailableException or IOException)
        {
            await error.WriteLineAsync($"Keyward's database in {place.DataDirectory} could not be used ({e.GetType().Name}); run the command again to resume.").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task RecordAsync(KeywardDatabase database, TimeProvider time, string action, string target, Dictionary<string, string> details, string outcome = AuditOutcomes.Success)
    {
        details["via"] = "keyward vault";
        details["user"] = Environment.UserName;
        await using var audit = new AuditLog(database, time, new AuditOptions());
        await audit.RecordAsync(new AuditRecord { Actor = "system", Action = action, Target = target, Outcome = outcome, Details = details }, CancellationToken.None).ConfigureAwait(false);
    }

    // Prints one line per batch: the rekey reports synchronously after each.
    private sealed class Reporter(TextWriter output) : IProgress<VaultRekeyProgress>
    {
        public void Report(VaultRekeyProgress value) =>
            output.WriteLine($"  {value.Rewrapped + value.Skipped + value.Failed}/{value.Total} data keys ({value.Rewrapped} re-wrapped, {value.Skipped} skipped, {value.Failed} failed), cursor {value.Cursor}");
    }
}
