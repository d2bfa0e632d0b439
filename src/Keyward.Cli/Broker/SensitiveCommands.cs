using System.CommandLine;
using System.Text.Json;
using Keyward.Client;

namespace Keyward.Cli.Broker;

/// <summary>
/// The commands that perform a sensitive action with the saved session: <c>keyward admin invite</c> and
/// <c>keyward recovery-codes</c>. Keyward answers <c>step_up_required</c> to a session alone; each command then
/// performs the step-up it names with the key file (a fresh assertion, never the sign-in) and retries once.
/// </summary>
internal static class SensitiveCommands
{
    /// <summary>
    /// <c>keyward admin invite create --account NAME [--role user|admin] [--reenroll]</c> (also <c>keyward admin invite
    /// --account NAME</c>, as before), <c>keyward admin invite list</c> and <c>keyward admin invite revoke ID</c>.
    /// </summary>
    public static Command Invite()
    {
        var invite = new Command("invite", "Invites: create (also without the word, as before), list, revoke.");
        AddCreate(invite);
        var create = new Command("create", "Create a single-use invite (kwi_…); performs an admin step-up with the key file when Keyward asks for one.");
        AddCreate(create);
        invite.Subcommands.Add(create);
        invite.Subcommands.Add(Operators.AccountCommands.InviteList());
        invite.Subcommands.Add(Operators.AccountCommands.InviteRevoke());
        return invite;
    }

    // The create action and its options, on `invite` itself (as before) and on `invite create`.
    private static void AddCreate(Command invite)
    {
        var (server, caCert, resolve, keyFile, tokenFile) = CommonOptions();
        var account = new Option<string>("--account") { Description = "The account the invite creates (or, with --reenroll, gives a new key).", Required = invite.Name == "create" };
        var role = new Option<string>("--role") { Description = "user or admin (a new account only).", DefaultValueFactory = _ => "user" };
        var reenroll = new Option<bool>("--reenroll") { Description = "Re-enroll the existing account: the invite registers a new key for it." };
        foreach (var o in new Option[] { server, caCert, resolve, keyFile, tokenFile, account, role, reenroll })
        {
            invite.Options.Add(o);
        }

        invite.SetAction((parse, ct) => SessionCommands.RunAsync(parse, server, caCert, () => WithSessionAndKeyAsync(parse, server, caCert, resolve, keyFile, tokenFile, async (client, token) =>
        {
            var name = parse.GetValue(account) ?? throw new InvalidOperationException("Name the account: keyward admin invite create --account NAME (or a subcommand: list, revoke).");
            var created = parse.GetValue(reenroll)
                ? await client.CreateReenrollInviteAsync(token, name, ct).ConfigureAwait(false)
                : await client.CreateInviteAsync(token, name, parse.GetValue(role)!, ct).ConfigureAwait(false);
            return JsonSerializer.SerializeToNode(created, KeywardJsonContext.Default.CreatedInvite);
        })));
    }

    /// <summary><c>keyward recovery-codes</c>: replaces the account's recovery codes (a <c>recovery.regenerate</c> step-up).</summary>
    public static Command RecoveryCodes()
    {
        var (server, caCert, resolve, keyFile, tokenFile) = CommonOptions();
        var command = new Command("recovery-codes", "Replace your account's ten recovery codes (the old ones stop working) and print the new ones once; performs the step-up with the key file.");
        foreach (var o in new Option[] { server, caCert, resolve, keyFile, tokenFile })
        {
            command.Options.Add(o);
        }

        command.SetAction((parse, ct) => SessionCommands.RunAsync(parse, server, caCert, () => WithSessionAndKeyAsync(parse, server, caCert, resolve, keyFile, tokenFile, async (client, token) =>
            JsonSerializer.SerializeToNode(await client.RegenerateRecoveryCodesAsync(token, ct).ConfigureAwait(false), KeywardJsonContext.Default.RecoveryCodes))));
        return command;
    }

    private static (Option<Uri> Server, Option<FileInfo?> CaCert, Option<string[]> Resolve, Option<FileInfo> KeyFile, Option<FileInfo> TokenFile) CommonOptions() =>
    (
        ServerAddress.Create(),
        new Option<FileInfo?>("--cacert") { Description = "PEM CA to trust for Keyward's certificate (e.g. data/tls/ca.pem)." },
        ResolveOption.Create(),
        new Option<FileInfo>("--key") { Description = "The virtual security key file (performs the step-up).", DefaultValueFactory = _ => new FileInfo(CliPaths.DefaultKeyFile) },
        new Option<FileInfo>("--token-file") { Description = "Where keyward login kept the session token.", DefaultValueFactory = _ => new FileInfo(CliPaths.DefaultTokenFile) }
    );

    // Runs the call with the saved session; on step_up_required, steps up with the key (whose counter then moved: saved).
    private static async Task WithSessionAndKeyAsync(
        ParseResult parse, Option<Uri> server, Option<FileInfo?> caCert, Option<string[]> resolve, Option<FileInfo> keyFile, Option<FileInfo> tokenFile, Func<KeywardClient, string, Task<System.Text.Json.Nodes.JsonNode?>> call)
    {
        var file = parse.GetValue(tokenFile)!;
        if (!file.Exists)
        {
            throw new InvalidOperationException($"No session: {file.FullName} does not exist. Run keyward login first.");
        }

        var token = (await File.ReadAllTextAsync(file.FullName).ConfigureAwait(false)).Trim();
        var (http, key, path, passphrase) = SessionCommands.Open(parse, server, caCert, resolve, keyFile, file.FullName);
        using (http)
        {
            var client = new KeywardClient(http);
            var result = await client.WithStepUpAsync(key, token, () => call(client, token)).ConfigureAwait(false);

            // A step-up moved the key's signature counter: keep it.
            key.Save(path, passphrase);
            await parse.InvocationConfiguration.Output.WriteLineAsync(SessionCommands.Show(result)).ConfigureAwait(false);
        }
    }
}
