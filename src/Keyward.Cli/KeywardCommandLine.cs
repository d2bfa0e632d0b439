using System.CommandLine;
using Keyward.Cli.Admin;
using Keyward.Cli.Agent;
using Keyward.Cli.Audit;
using Keyward.Cli.Broker;
using Keyward.Cli.WebAuthn;

namespace Keyward.Cli;

/// <summary>The <c>keyward</c> command: its subcommands, and how a usage error ends (a plain message, exit 2).</summary>
internal static class KeywardCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Keyward: a self-hosted access broker that puts a hardware key in front of everything.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        foreach (var command in SessionCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(WebAuthnCommands.Create());
        root.Subcommands.Add(AuditCommands.Create());
        root.Subcommands.Add(AdminCommands.Create());
        root.Subcommands.Add(SensitiveCommands.RecoveryCodes());
        root.Subcommands.Add(Operators.KeyCommands.Keys());
        root.Subcommands.Add(Operators.KeyCommands.Sessions());
        root.Subcommands.Add(Support.SupportCommands.Create());
        root.Subcommands.Add(Approvals.ApprovalCommands.Create());
        root.Subcommands.Add(Support.ViewerCommands.Connect());
        root.Subcommands.Add(Support.ViewerCommands.Shell());
        root.Subcommands.Add(AgentCommands.Create());
        root.Subcommands.Add(Capabilities.CapabilityCommands.Actors());
        root.Subcommands.Add(Capabilities.CapabilityCommands.Scopes());
        root.Subcommands.Add(Vault.VaultCommands.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; <paramref name="configuration"/> redirects output and errors (tests).</summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        configuration ??= new InvocationConfiguration();
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await configuration.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await configuration.Error.WriteLineAsync("Run 'keyward --help' for usage.").ConfigureAwait(false);
            return 2;
        }

        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
