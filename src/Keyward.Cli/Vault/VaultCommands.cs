using System.CommandLine;

namespace Keyward.Cli.Vault;

/// <summary><c>keyward vault</c>: the actor's put, get and list (over HTTP, with a capability), and the server's rekey and epochs.</summary>
internal static class VaultCommands
{
    public static Command Create()
    {
        var vault = new Command("vault", "The vault: put, get and list a secret as a service identity (over HTTP), and rekey or list epochs on the server itself.");
        foreach (var command in VaultActorCommands.Create())
        {
            vault.Subcommands.Add(command);
        }

        vault.Subcommands.Add(VaultServerCommands.Rekey());
        vault.Subcommands.Add(VaultServerCommands.Epochs());
        return vault;
    }
}
