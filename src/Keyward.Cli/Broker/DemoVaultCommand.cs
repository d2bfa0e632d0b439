using System.CommandLine;

namespace Keyward.Cli.Broker;

/// <summary>
/// <c>keyward demo vault</c>: the vault, approvals and capabilities end to end with real processes (issue 12, item 8;
/// the walk is <see cref="VaultDemo"/>). Exits 0 only when every planned step ran and passed.
/// </summary>
internal static class DemoVaultCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keep state here (Keyward's data, the key-encryption key files, the audit export) instead of a temporary directory (kept afterwards)." };
        var vault = new Command(
            "vault",
            "The vault for real on loopback with TLS: keyward serve (a child process) with a key file per epoch, two approvers with virtual keys and a 2-of-2 policy, "
            + "a scope granted by their votes, an actor storing and reading a credential, the cross-class, cross-actor, operation, path and replay refusals, "
            + "an epoch advanced by quorum and keyward vault rekey (a child process), a stranding change refused, and the audit log verified.");
        vault.Options.Add(dataDir);
        vault.SetAction(async (parse, ct) =>
        {
            var keep = parse.GetValue(dataDir);
            var directory = keep?.FullName ?? Directory.CreateTempSubdirectory("keyward-demo-vault-").FullName;

            // Ctrl+C cancels the walk and its cleanup runs; should the process end first, the temporary directory still goes.
            EventHandler removeAtExit = (_, _) => TryDelete(directory);
            if (keep is null)
            {
                AppDomain.CurrentDomain.ProcessExit += removeAtExit;
            }

            try
            {
                return await VaultDemo.RunAsync(directory, ct).ConfigureAwait(false);
            }
            finally
            {
                AppDomain.CurrentDomain.ProcessExit -= removeAtExit;
                if (keep is null)
                {
                    TryDelete(directory);
                }
            }
        });
        return vault;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
