using System.CommandLine;
using System.Security.Cryptography;
using Keyward.Core.Audit.Export;
using Keyward.Core.Keys;
using Keyward.Core.Storage;
using Keyward.Server.Keys;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Keyward.Cli.Audit;

/// <summary>
/// <c>keyward audit export</c> (the log, straight from the database, as JSON lines) and <c>keyward audit verify FILE</c>
/// (exit 0 intact, 1 tampered, 2 unusable input).
/// </summary>
internal static class AuditCommands
{
    /// <summary>Files smaller than this verify without a progress bar.</summary>
    private const long ProgressThreshold = 1 << 20;

    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keyward's data directory (database and audit key). Default: Keyward:DataDirectory, or ./data." };
        var outFile = new Option<FileInfo?>("--out", "-o") { Description = "Write the export here instead of to standard output." };
        var config = new Option<FileInfo?>("--config") { Description = "The JSON settings file keyward serve uses (for Keyward:Storage)." };
        var overrides = Keyward.Cli.Broker.SettingArguments.Create("--Keyward:Storage:Setting=value");
        var export = new Command("export", "Export every audit event and signed tree head, with proofs, as JSON lines. Any --Keyward:Storage:Setting=value argument overrides configuration.")
        {
            overrides,
        };
        export.Options.Add(dataDir);
        export.Options.Add(outFile);
        export.Options.Add(config);
        export.SetAction((parse, ct) =>
        {
            var settings = Settings(parse.GetValue(config), parse.GetValue(overrides) ?? []);
            if (settings is null)
            {
                Console.Error.WriteLine($"{parse.GetValue(config)!.FullName} does not exist.");
                return Task.FromResult(2);
            }

            var directory = parse.GetValue(dataDir)?.FullName ?? Path.GetFullPath(settings["Keyward:DataDirectory"] ?? "./data");
            var storage = settings.GetSection("Keyward:Storage").Get<StorageOptions>() ?? new StorageOptions();
            return ExportAsync(directory, storage, parse.GetValue(outFile), Console.Error, ct);
        });

        var file = new Argument<FileInfo>("file") { Description = "An export written by keyward audit export." };
        var key = new Option<FileInfo?>("--key")
        {
            Description = "The audit public key(s) to trust (PEM from GET /api/audit/key, kept apart from the export; several PUBLIC KEY blocks for a history of keys). Without it, the keys in the export's own header are trusted.",
        };
        var verify = new Command("verify", "Check an export: signatures, consistency between tree heads, every event's hash and inclusion, and sequence numbers. Exit 0 intact, 1 tampered, 2 unusable input.");
        verify.Arguments.Add(file);
        verify.Options.Add(key);
        verify.SetAction((parse, ct) => VerifyAsync(parse.GetValue(file)!, parse.GetValue(key), Console.Out, Console.Error, !Console.IsOutputRedirected, ct));

        var audit = new Command("audit", "The tamper-evident audit log.");
        audit.Subcommands.Add(export);
        audit.Subcommands.Add(verify);
        audit.Subcommands.Add(Operators.AuditTailCommand.Create());
        return audit;
    }

    /// <summary>Exports the log of a data directory. 0 written, 1 the database could not be read, 2 nothing to export.</summary>
    internal static async Task<int> ExportAsync(string dataDirectory, StorageOptions storage, FileInfo? outFile, TextWriter error, CancellationToken cancellationToken)
    {
        if (storage.Provider == StorageProvider.Sqlite && storage.ConnectionString is null && !File.Exists(Path.Combine(dataDirectory, "keyward.db")))
        {
            await error.WriteLineAsync($"No Keyward database in {dataDirectory}: pass --data-dir, or --Keyward:Storage:Provider=Postgres with a connection string.").ConfigureAwait(false);
            return 2;
        }

        var database = new KeywardDatabase(storage, dataDirectory);
        try
        {
            // The history of tree-head keys: on PostgreSQL the cluster's (signing_keys), else the data directory's one key.
            IReadOnlyList<AuditExportKey> history = storage.Provider == StorageProvider.Postgres
                ? [.. (await SharedSigningKeys.ListAsync(database, SigningKeyPurposes.Audit, cancellationToken).ConfigureAwait(false))
                    .Select(k => new AuditExportKey(k.SubjectPublicKeyInfo(), k.NotBefore, k.RetireAt))]
                : [];
            if (history.Count == 0 && AuditKeyFile.ReadPublicKey(dataDirectory) is { } publicKey)
            {
                history = [new AuditExportKey(publicKey)];
            }

            if (history.Count == 0)
            {
                await error.WriteLineAsync($"Warning: no audit key in {Path.Combine(dataDirectory, AuditKeyFile.Directory)}; the export's header lists no key, so verify will need --key.").ConfigureAwait(false);
            }

            var stream = outFile is null ? Console.OpenStandardOutput() : new FileStream(outFile.FullName, FileMode.Create, FileAccess.Write, FileShare.None);
            await using (stream.ConfigureAwait(false))
            {
                var buffered = new BufferedStream(stream, 1 << 16);
                await using (buffered.ConfigureAwait(false))
                {
                    var (events, heads) = await new AuditExporter(database, TimeProvider.System)
                        .ExportAsync(buffered, history, cancellationToken).ConfigureAwait(false);
                    await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
                    await error.WriteLineAsync($"Exported {events} events and {heads} signed tree heads{(outFile is null ? "" : $" to {outFile.FullName}")}.").ConfigureAwait(false);
                }
            }

            return 0;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"Could not export the audit log: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>Verifies an export; writes one plain verdict. 0 intact, 1 tampered, 2 unusable input.</summary>
    internal static async Task<int> VerifyAsync(FileInfo file, FileInfo? keyFile, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        List<byte[]>? trusted = null;
        if (keyFile is not null)
        {
            if (!keyFile.Exists)
            {
                await error.WriteLineAsync($"{keyFile.FullName} does not exist.").ConfigureAwait(false);
                return 2;
            }

            try
            {
                trusted = ReadPublicKeys(await File.ReadAllTextAsync(keyFile.FullName, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                await error.WriteLineAsync($"{keyFile.Name} is not a PEM public key (-----BEGIN PUBLIC KEY-----).").ConfigureAwait(false);
                return 2;
            }
        }

        if (!file.Exists)
        {
            await error.WriteLineAsync($"{file.FullName} does not exist.").ConfigureAwait(false);
            return 2;
        }

        AuditVerification result;
        var stream = file.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            if (interactive && file.Length >= ProgressThreshold)
            {
                result = null!;
                await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Verifying {file.Name}", maxValue: file.Length);
                    result = await VerifyStreamAsync(stream, trusted, new ProgressTask(task), cancellationToken).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }).ConfigureAwait(false);
            }
            else
            {
                result = await VerifyStreamAsync(stream, trusted, null, cancellationToken).ConfigureAwait(false);
            }
        }

        switch (result.Status)
        {
            case AuditVerificationStatus.Intact:
                await output.WriteLineAsync(result.Message).ConfigureAwait(false);
                return 0;
            case AuditVerificationStatus.Tampered:
                await output.WriteLineAsync($"Tampered: {result.Message}").ConfigureAwait(false);
                return 1;
            default:
                await error.WriteLineAsync($"Cannot verify {file.Name}: {result.Message}").ConfigureAwait(false);
                return 2;
        }
    }

    private static Task<AuditVerification> VerifyStreamAsync(Stream stream, List<byte[]>? trusted, IProgress<long>? progress, CancellationToken cancellationToken) =>
        trusted is null
            ? AuditExportVerifier.VerifyAsync(stream, null, progress, cancellationToken)
            : AuditExportVerifier.VerifyTrustingAsync(stream, trusted, progress, cancellationToken);

    /// <summary>
    /// Every SubjectPublicKeyInfo in a PEM file: one or more <c>PUBLIC KEY</c> blocks (the history of tree-head keys of
    /// a cluster, one after another), or the public half of a private key.
    /// </summary>
    private static List<byte[]> ReadPublicKeys(string pem)
    {
        var keys = new List<byte[]>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(rest[fields.Location]);
            keys.Add(key.ExportSubjectPublicKeyInfo());
            rest = rest[fields.Location.End..];
        }

        return keys.Count > 0 ? keys : throw new ArgumentException("No PEM block.", nameof(pem));
    }

    /// <summary>Configuration as <c>keyward serve</c> reads it: the settings file, environment variables, then arguments. Null when the file is missing.</summary>
    private static IConfigurationRoot? Settings(FileInfo? config, IReadOnlyList<string> arguments)
    {
        if (config is { Exists: false })
        {
            return null;
        }

        var builder = new ConfigurationBuilder();
        if (config is not null)
        {
            builder.AddJsonFile(config.FullName, optional: false);
        }

        return builder.AddEnvironmentVariables().AddCommandLine([.. arguments]).Build();
    }

    /// <summary>Moves a progress bar synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ProgressTask(Spectre.Console.ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }
}
