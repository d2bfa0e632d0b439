using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keyward.Cli.Broker;

/// <summary>
/// The server and CA <c>keyward login</c> last used, kept beside the session token as <c>server.json</c> (mode 0600).
/// Later client commands default to them when <c>--server</c> or <c>--cacert</c> is not given on their command line.
/// </summary>
internal static class SavedServer
{
    /// <summary>The file's name, in the token file's directory.</summary>
    public const string FileName = "server.json";

    /// <summary>Where the server is remembered for a token kept at <paramref name="tokenFile"/>.</summary>
    public static string PathFor(string tokenFile) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenFile))!, FileName);

    /// <summary>Remembers <paramref name="server"/> and <paramref name="caFile"/> (absolute) beside <paramref name="tokenFile"/>.</summary>
    public static void Save(string tokenFile, Uri server, string? caFile)
    {
        ArgumentNullException.ThrowIfNull(server);
        var saved = new JsonObject { ["server"] = server.ToString(), ["cacert"] = caFile is null ? null : Path.GetFullPath(caFile) };
        CliPaths.WritePrivate(PathFor(tokenFile), saved.ToJsonString());
    }

    /// <summary>
    /// The server and CA file for a command: each from its option when given on the command line, else from the file
    /// beside <paramref name="tokenFile"/>, else the option's default. A damaged file is ignored (the defaults apply).
    /// </summary>
    public static (Uri Server, FileInfo? CaFile) Resolve(ParseResult parse, Option<Uri> server, Option<FileInfo?> caCert, string tokenFile)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var givenServer = parse.GetResult(server) is { Implicit: false };
        var givenCa = parse.GetResult(caCert) is { Implicit: false };
        var address = parse.GetValue(server)!;
        var ca = parse.GetValue(caCert);
        if (givenServer && givenCa)
        {
            return (address, ca);
        }

        var (savedServer, savedCa) = Read(PathFor(tokenFile));
        if (!givenServer && savedServer is not null)
        {
            address = savedServer;

            // The CA remembered belongs to the server remembered: with another --server, it is not used.
            if (!givenCa && savedCa is not null)
            {
                ca = new FileInfo(savedCa);
            }
        }
        else if (!givenCa && savedCa is not null && savedServer is not null && savedServer == address)
        {
            ca = new FileInfo(savedCa);
        }

        return (address, ca);
    }

    private static (Uri? Server, string? CaFile) Read(string path)
    {
        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            var saved = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            var server = saved?["server"]?.GetValue<string>();
            var ca = saved?["cacert"]?.GetValue<string>();
            return (server is not null && Uri.TryCreate(server, UriKind.Absolute, out var address) && address.Scheme is "https" or "http" ? address : null, ca);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return (null, null);
        }
    }
}
