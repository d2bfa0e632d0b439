using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Cli.Broker;
using Keyward.Client;
using Spectre.Console;

namespace Keyward.Cli.Operators;

/// <summary>
/// Runs one operator command against Keyward with the saved session: sends the request, and on
/// <c>step_up_required</c> performs the step-up Keyward names with the key file and sends it once more (as
/// <see cref="SensitiveCommands"/> does). Prints the answer as a table for people, or with <c>--json</c> as one JSON
/// document. Exit 0 done, 1 refused or unreachable (a plain message), 2 usage.
/// </summary>
internal static class OperatorCall
{
    /// <summary>Sends one request for the command (the session token is given).</summary>
    public delegate Task<KeywardResponse> Send(KeywardClient client, string token, CancellationToken cancellationToken);

    /// <summary>Runs the command: <paramref name="render"/> draws the answer for people; <paramref name="empty"/> stands for an answer without a body (204).</summary>
    public static Task<int> RunAsync(ParseResult parse, OperatorOptions options, bool mayStepUp, Send send, Action<JsonElement, IAnsiConsole> render, JsonNode? empty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(options);
        return SessionCommands.RunAsync(parse, options.Server, options.CaCert, async () =>
        {
            KeywardResponse response;
            if (mayStepUp)
            {
                var token = ReadToken(parse, options);
                var (http, key, path, passphrase) = SessionCommands.Open(parse, options.Server, options.CaCert, options.Resolve, options.KeyFile, parse.GetValue(options.TokenFile)!.FullName);
                using (http)
                {
                    var client = new KeywardClient(http);
                    response = await client.WithStepUpAsync(key, token, async () => (await send(client, token, cancellationToken).ConfigureAwait(false)).EnsureSuccess(), cancellationToken).ConfigureAwait(false);

                    // A step-up moved the key's signature counter: keep it.
                    key.Save(path, passphrase);
                }
            }
            else
            {
                var (client, http, token) = Connect(parse, options);
                using (http)
                {
                    response = (await send(client, token, cancellationToken).ConfigureAwait(false)).EnsureSuccess();
                }
            }

            var answer = string.IsNullOrEmpty(response.Body) ? empty?.ToJsonString() ?? "{}" : response.Body;
            using var document = JsonDocument.Parse(answer);
            Write(parse, options, document.RootElement, render);
        });
    }

    /// <summary>A client for the command's server (the command line's, else the one remembered), and the saved session token.</summary>
    public static (KeywardClient Client, HttpClient Http, string Token) Connect(ParseResult parse, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(options);
        var file = parse.GetValue(options.TokenFile)!;
        var token = ReadToken(parse, options);
        var (address, ca) = SavedServer.Resolve(parse, options.Server, options.CaCert, file.FullName);
        var http = CaTrust.CreateHttpClient(address, ca?.FullName, ResolveOption.Read(parse, options.Resolve));
        return (new KeywardClient(http), http, token);
    }

    private static string ReadToken(ParseResult parse, OperatorOptions options)
    {
        var file = parse.GetValue(options.TokenFile)!;
        if (!file.Exists)
        {
            throw new InvalidOperationException($"No session: {file.FullName} does not exist. Run keyward login first.");
        }

        return File.ReadAllText(file.FullName).Trim();
    }

    /// <summary>Prints <paramref name="answer"/>: indented JSON with <c>--json</c>, else as <paramref name="render"/> draws it.</summary>
    public static void Write(ParseResult parse, OperatorOptions options, JsonElement answer, Action<JsonElement, IAnsiConsole> render)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(render);
        var output = parse.InvocationConfiguration.Output;
        if (parse.GetValue(options.Json))
        {
            output.WriteLine(SessionCommands.Show(JsonNode.Parse(answer.GetRawText())));
            return;
        }

        render(answer, Console(output));
    }

    /// <summary>A Spectre console over <paramref name="output"/>: plain text and a wide line when it is not a terminal.</summary>
    public static IAnsiConsole Console(TextWriter output)
    {
        var terminal = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }
}
