using System.CommandLine;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Client;

namespace Keyward.Cli.Broker;

/// <summary><c>keyward key create</c>, <c>register</c>, <c>login</c>, <c>status</c>, <c>logout</c>: the prototype's flow from a terminal.</summary>
internal static class SessionCommands
{
    // Printed, never embedded in HTML: '+' (timestamps' offsets) and non-ASCII as themselves, as Keyward's answers are.
    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEnumerable<Command> Create()
    {
        var server = ServerAddress.Create();
        var caCert = new Option<FileInfo?>("--cacert") { Description = "PEM CA to trust for Keyward's certificate (e.g. data/tls/ca.pem)." };
        var resolve = ResolveOption.Create();
        var keyFile = new Option<FileInfo>("--key") { Description = "The virtual security key file.", DefaultValueFactory = _ => new FileInfo(CliPaths.DefaultKeyFile) };
        var tokenFile = new Option<FileInfo>("--token-file") { Description = "Where the session token is kept (mode 0600).", DefaultValueFactory = _ => new FileInfo(CliPaths.DefaultTokenFile) };

        var create = new Command("create", "Create a virtual security key file, encrypted under a passphrase (KEYWARD_KEY_PASSPHRASE or prompted).");
        create.Options.Add(keyFile);
        create.SetAction(parse =>
        {
            var path = parse.GetValue(keyFile)!;
            if (path.Exists)
            {
                Console.Error.WriteLine($"{path.FullName} exists; refusing to overwrite a key.");
                return 1;
            }

            Directory.CreateDirectory(path.DirectoryName!);
            VirtualAuthenticator.Create().Save(path.FullName, CliPaths.Passphrase());
            Console.WriteLine($"Created {path.FullName}.");
            return 0;
        });
        var key = new Command("key", "Virtual security keys.");
        key.Subcommands.Add(create);

        var setupCode = new Option<string?>("--setup-code") { Description = "The setup code Keyward printed at first start (first admin)." };
        var invite = new Option<string?>("--invite") { Description = "An invite (kwi_…) from an admin." };
        var username = new Option<string?>("--username") { Description = "The new account's name (required with --setup-code; with --invite, the invite names the account)." };
        var keyName = new Option<string>("--key-name") { Description = "A name for the key.", DefaultValueFactory = _ => "virtual key" };
        var register = new Command("register", "Register the virtual key with Keyward.");
        foreach (var o in new Option[] { server, caCert, resolve, keyFile, setupCode, invite, username, keyName })
        {
            register.Options.Add(o);
        }

        register.SetAction((parse, ct) => RunAsync(parse, server, caCert, async () =>
        {
            var (http, authenticator, path, passphrase) = Open(parse, server, caCert, resolve, keyFile, CliPaths.DefaultTokenFile);
            using (http)
            {
                var request = new RegistrationRequest { SetupCode = parse.GetValue(setupCode), Invite = parse.GetValue(invite), Username = parse.GetValue(username), KeyName = parse.GetValue(keyName)! };
                var result = await new KeywardClient(http).RegisterAsync(authenticator, request, ct).ConfigureAwait(false);
                authenticator.Save(path, passphrase);
                Console.WriteLine(Show(JsonSerializer.SerializeToNode(result, KeywardJsonContext.Default.Registration)));
            }
        }));

        var printToken = new Option<bool>("--print-token") { Description = "Also print the session token (for scripts such as the curl walk-through)." };
        var loginUsername = new Option<string?>("--username") { Description = "Account name; omit it for a passkey sign-in (the key finds its account)." };
        var login = new Command("login", "Sign in with the virtual key and keep the session token.");
        foreach (var o in new Option[] { server, caCert, resolve, keyFile, loginUsername, tokenFile, printToken })
        {
            login.Options.Add(o);
        }

        login.SetAction((parse, ct) => RunAsync(parse, server, caCert, async () =>
        {
            var tokenPath = parse.GetValue(tokenFile)!.FullName;
            var (http, authenticator, path, passphrase) = Open(parse, server, caCert, resolve, keyFile, tokenPath);
            using (http)
            {
                var result = await new KeywardClient(http).SignInAsync(authenticator, parse.GetValue(loginUsername), ct).ConfigureAwait(false);
                authenticator.Save(path, passphrase);
                var token = result.SessionToken;
                CliPaths.SaveToken(tokenPath, token);

                // Later commands default to this server and CA (SavedServer), beside the token.
                var (address, ca) = SavedServer.Resolve(parse, server, caCert, tokenPath);
                SavedServer.Save(tokenPath, address, ca?.FullName);
                var shown = JsonSerializer.SerializeToNode(result, KeywardJsonContext.Default.SignInResult)!.AsObject();
                shown.Remove("session_token");
                Console.WriteLine(Show(shown));
                if (parse.GetValue(printToken))
                {
                    Console.WriteLine(token);
                }
            }
        }));

        var status = new Command("status", "Show the current session.");
        var logout = new Command("logout", "End the current session.");
        foreach (var command in new[] { status, logout })
        {
            command.Options.Add(server);
            command.Options.Add(caCert);
            command.Options.Add(resolve);
            command.Options.Add(tokenFile);
        }

        status.SetAction((parse, ct) => RunAsync(parse, server, caCert, () => SessionCallAsync(
            parse, server, caCert, resolve, tokenFile, async (client, token) => JsonSerializer.SerializeToNode(await client.StatusAsync(token, ct).ConfigureAwait(false), KeywardJsonContext.Default.SessionStatus), remove: false)));
        logout.SetAction((parse, ct) => RunAsync(parse, server, caCert, () => SessionCallAsync(
            parse, server, caCert, resolve, tokenFile, async (client, token) => JsonSerializer.SerializeToNode(await client.LogoutAsync(token, ct).ConfigureAwait(false), KeywardJsonContext.Default.LogoutResult), remove: true)));
        return [key, register, login, status, logout];
    }

    private static async Task SessionCallAsync(
        ParseResult parse, Option<Uri> server, Option<FileInfo?> caCert, Option<string[]> resolve, Option<FileInfo> tokenFile, Func<KeywardClient, string, Task<JsonNode?>> call, bool remove)
    {
        var file = parse.GetValue(tokenFile)!;
        if (!file.Exists)
        {
            throw new InvalidOperationException($"No session: {file.FullName} does not exist. Run keyward login first.");
        }

        var (address, ca) = SavedServer.Resolve(parse, server, caCert, file.FullName);
        using var http = CaTrust.CreateHttpClient(address, ca?.FullName, ResolveOption.Read(parse, resolve));
        var result = await call(new KeywardClient(http), File.ReadAllText(file.FullName).Trim()).ConfigureAwait(false);
        if (remove)
        {
            file.Delete();
        }

        Console.WriteLine(Show(result));
    }

    /// <summary>
    /// Loads the key file and opens a client to the server (the command line's, else the one remembered beside
    /// <paramref name="tokenFile"/>: <see cref="SavedServer"/>).
    /// </summary>
    internal static (HttpClient Http, VirtualAuthenticator Key, string Path, string Passphrase) Open(
        ParseResult parse, Option<Uri> server, Option<FileInfo?> caCert, Option<string[]> resolve, Option<FileInfo> keyFile, string tokenFile)
    {
        var path = parse.GetValue(keyFile)!.FullName;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No key file at {path}. Create one with: keyward key create --key {path}");
        }

        var passphrase = CliPaths.Passphrase();
        var key = VirtualAuthenticator.TryLoad(path, passphrase);
        if (!key.Succeeded)
        {
            throw new InvalidOperationException(key.Failure!.Message);
        }

        var (address, ca) = SavedServer.Resolve(parse, server, caCert, tokenFile);
        return (CaTrust.CreateHttpClient(address, ca?.FullName, ResolveOption.Read(parse, resolve)), key.Value, path, passphrase);
    }

    /// <summary>An answer as Keyward sent it, indented.</summary>
    internal static string Show(JsonNode? answer) => answer?.ToJsonString(Indented) ?? "null";

    /// <summary>
    /// Runs a command body: 0 on success; 1 with a plain message on a refusal, a usage problem or a failed connection
    /// (an untrusted certificate with a hint at <c>--cacert</c>).
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<Uri> server, Option<FileInfo?> caCert, Func<Task> body)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await body().ConfigureAwait(false);
            return 0;
        }
        catch (KeywardProblemException e)
        {
            await error.WriteLineAsync($"Refused: {Refusal.Describe(e)}").ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException tls)
        {
            await error.WriteLineAsync(TlsFailure.Describe(tls, parse.GetValue(server)!, parse.GetValue(caCert))).ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or AuthenticatorException)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
