using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Assertions;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Hosting;

/// <summary>
/// Start-up work that must finish before Keyward serves: lock the data directory (SQLite), migrate storage, load or make signing keys, and issue the
/// setup code while no admin exists. The code is printed once to the console (never logged) and kept in
/// <see cref="SetupCode"/> for an in-process caller such as <c>keyward demo</c>.
/// </summary>
internal sealed class StartupTasks(
    DataDirectoryLock dataLock, KeywardDatabase database, AccountService accounts, SigningKeyStore keys, SetupCode setupCode,
    IAuditLog audit, IOptions<KeywardOptions> keyward, IOptions<SignInOptions> options, TimeProvider time, KeywardMetrics metrics,
    Keyward.Server.Keys.ClusterSigningKeys clusterKeys, Keyward.Server.Audit.AuditKeys auditKeys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = metrics; // created at start, so its gauges exist before the first collection

        // Before the first write: a second Keyward on the same SQLite data directory stops here.
        dataLock.Acquire();
        await database.MigrateAsync(time, cancellationToken).ConfigureAwait(false);

        // On PostgreSQL the signing keys are the cluster's, in the database; on SQLite, files in the data directory.
        await clusterKeys.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = keys.Current;
        if (!clusterKeys.Enabled)
        {
            // SQLite: the audit key file exists from the start (not at the first tree head), so every file of the data
            // directory is written here, under the lock, and tightened below.
            _ = auditKeys.Current;
        }

        // After the database and keys exist: the data directory is the owner's alone (0700, files 0600).
        PrivateDirectory.Tighten(keyward.Value.DataDirectory);
        var code = await accounts.IssueSetupCodeAsync(options.Value.SetupCodeLifetime, cancellationToken).ConfigureAwait(false);
        if (code is not null)
        {
            // Recorded before anyone can see it; if the log cannot take it, Keyward does not start.
            await audit.RecordAsync(
                new AuditRecord
                {
                    Actor = "system",
                    Action = AuditActions.SetupCodeIssued,
                    Outcome = AuditOutcomes.Success,
                    Details = new Dictionary<string, string> { ["valid_minutes"] = options.Value.SetupCodeLifetime.TotalMinutes.ToString("0", System.Globalization.CultureInfo.InvariantCulture) },
                },
                cancellationToken).ConfigureAwait(false);
            setupCode.Value = code;
            if (setupCode.Print)
            {
                Console.WriteLine($"No admin yet. Open {keyward.Value.EffectiveOrigin}/ and register the first key with setup code {code} (single use, valid {options.Value.SetupCodeLifetime.TotalMinutes:0} minutes).");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
