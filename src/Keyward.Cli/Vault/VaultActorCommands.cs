using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Keyward.Cli.Broker;
using Keyward.Client;

namespace Keyward.Cli.Vault;

/// <summary>
/// <c>keyward vault put|get|list</c>, acting as a service identity (docs/vault.md, "CLI"): the actor's key comes from
/// <c>--key-file</c> (a <c>kwv_</c> or <c>kwa_</c> key, never from the command line), each call mints a capability
/// for exactly its operation, class and path, and a value is read from standard input or <c>--value-file</c>, never
/// from an argument. <c>get</c> prints the value alone to standard output. Exit 0 done, 1 refused or unreachable.
/// </summary>
internal static class VaultActorCommands
{
    /// <summary>The largest value read from standard input or a file: the vault's own ceiling (1 MiB).</summary>
    private const int MaxValueBytes = 1024 * 1024;

    public static IEnumerable<Command> Create()
    {
        var put = new Command("put", "Store a new version of a secret. The value is read from standard input, or from --value-file; never from an argument.");
        var valueFile = new Option<FileInfo?>("--value-file") { Description = "Read the value from this file instead of standard input." };
        var putOptions = ActorOptions.AddTo(put);
        put.Options.Add(valueFile);
        put.SetAction((parse, ct) => putOptions.RunAsync(parse, async (client, key, actor, dataClass, path) =>
        {
            var value = await ReadValueAsync(parse.GetValue(valueFile), ct).ConfigureAwait(false);
            try
            {
                var capability = await client.MintCapabilityAsync(key, "write", dataClass, path, putOptions.Operator(parse), ct).ConfigureAwait(false);
                var version = await client.PutSecretAsync(capability.Token, dataClass, actor, path, value, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Error.WriteLineAsync($"Stored {dataClass} {path} version {version.ToString(CultureInfo.InvariantCulture)}.").ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(value);
            }
        }));

        var get = new Command("get", "Print a secret's value (latest version, or --version) to standard output, and nothing else.");
        var version = new Option<int?>("--version") { Description = "The version to read (default: the latest)." };
        var getOptions = ActorOptions.AddTo(get);
        get.Options.Add(version);
        get.SetAction((parse, ct) => getOptions.RunAsync(parse, async (client, key, actor, dataClass, path) =>
        {
            var capability = await client.MintCapabilityAsync(key, "read", dataClass, path, getOptions.Operator(parse), ct).ConfigureAwait(false);
            using var value = await client.GetSecretAsync(capability.Token, dataClass, actor, path, parse.GetValue(version), ct).ConfigureAwait(false);
            using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(value.Value.ToArray(), ct).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
        }));

        var list = new Command("list", "List the secrets under a prefix (the path argument): path, latest version, when written. Never values.");
        var listOptions = ActorOptions.AddTo(list, "The prefix to list under (\"\" for every path the capability allows).");
        list.SetAction((parse, ct) => listOptions.RunAsync(parse, async (client, key, actor, dataClass, prefix) =>
        {
            var capability = await client.MintCapabilityAsync(key, "list", dataClass, prefix, listOptions.Operator(parse), ct).ConfigureAwait(false);
            var entries = await client.ListSecretsAsync(capability.Token, dataClass, actor, prefix, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            foreach (var entry in entries)
            {
                await output.WriteLineAsync($"{entry.Path}\t{entry.Version.ToString(CultureInfo.InvariantCulture)}\t{entry.UpdatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}").ConfigureAwait(false);
            }
        }));
        return [put, get, list];
    }

    /// <summary>Reads a value (at most 1 MiB) from <paramref name="file"/> or standard input into a buffer the caller clears.</summary>
    internal static async Task<byte[]> ReadValueAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is { Exists: false })
        {
            throw new InvalidOperationException($"{file.FullName} does not exist.");
        }

        if (file is null && !Console.IsInputRedirected)
        {
            throw new InvalidOperationException("Give the value on standard input (echo -n … | keyward vault put …) or with --value-file; it is never taken from an argument.");
        }

        await using var input = file is null ? Console.OpenStandardInput() : file.OpenRead();
        var buffer = new byte[MaxValueBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await input.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > MaxValueBytes)
            {
                throw new InvalidOperationException($"The value is larger than {MaxValueBytes} bytes, the most the vault ever stores.");
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>The options every actor command takes.</summary>
    private sealed class ActorOptions
    {
        private readonly Option<Uri> _server = ServerAddress.Create();
        private readonly Option<FileInfo?> _caCert = new("--cacert") { Description = "PEM CA to trust for Keyward's certificate." };
        private readonly Option<string[]> _resolve = ResolveOption.Create();
        private readonly Option<FileInfo> _keyFile = new("--key-file") { Description = "A file holding the actor's key (kwv_… for a service identity, kwa_… for an agent); mode 0600.", Required = true };
        private readonly Option<Guid> _actor = new("--actor") { Description = "The actor's id (the service identity's or the agent's machine id).", Required = true };
        private readonly Option<string> _class = new("--class") { Description = "The data class: credential or memory.", DefaultValueFactory = _ => "credential" };
        private readonly Option<string?> _operator = new("--operator") { Description = "The operator whose scope allows this (needed when the actor has scopes from more than one)." };
        private Argument<string> _path = null!;

        public static ActorOptions AddTo(Command command, string pathDescription = "The secret's path, e.g. db/prod.")
        {
            var options = new ActorOptions { _path = new Argument<string>("path") { Description = pathDescription } };
            command.Arguments.Add(options._path);
            foreach (var option in new Option[] { options._server, options._caCert, options._resolve, options._keyFile, options._actor, options._class, options._operator })
            {
                command.Options.Add(option);
            }

            return options;
        }

        public string? Operator(ParseResult parse) => parse.GetValue(_operator);

        public Task<int> RunAsync(ParseResult parse, Func<KeywardClient, string, Guid, string, string, Task> call) =>
            SessionCommands.RunAsync(parse, _server, _caCert, async () =>
            {
                var keyFile = parse.GetValue(_keyFile)!;
                if (!keyFile.Exists)
                {
                    throw new InvalidOperationException($"{keyFile.FullName} does not exist: give the actor's key file with --key-file.");
                }

                var key = (await File.ReadAllTextAsync(keyFile.FullName).ConfigureAwait(false)).Trim();
                if (!key.StartsWith("kwv_", StringComparison.Ordinal) && !key.StartsWith("kwa_", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{keyFile.FullName} does not hold an actor key (kwv_… or kwa_…).");
                }

                var ca = parse.GetValue(_caCert);
                using var http = CaTrust.CreateHttpClient(parse.GetValue(_server)!, ca?.FullName, ResolveOption.Read(parse, _resolve));
                await call(new KeywardClient(http), key, parse.GetValue(_actor), parse.GetValue(_class)!, parse.GetValue(_path)!).ConfigureAwait(false);
            });
    }
}
