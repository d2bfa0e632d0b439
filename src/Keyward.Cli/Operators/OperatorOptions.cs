using System.CommandLine;
using Keyward.Cli.Broker;

namespace Keyward.Cli.Operators;

/// <summary>
/// The options every operator command takes: where Keyward is (defaulting to the server <c>keyward login</c>
/// remembered), the session token file, the key file (for a step-up), and <c>--json</c> for scripts.
/// </summary>
internal sealed class OperatorOptions
{
    private OperatorOptions()
    {
    }

    /// <summary>Keyward's address.</summary>
    public Option<Uri> Server { get; } = ServerAddress.Create();

    /// <summary>The CA to trust for Keyward's certificate.</summary>
    public Option<FileInfo?> CaCert { get; } = new("--cacert") { Description = "PEM CA to trust for Keyward's certificate (default: the one keyward login last used)." };

    /// <summary>curl-like host resolution.</summary>
    public Option<string[]> Resolve { get; } = ResolveOption.Create();

    /// <summary>The virtual key file that performs a step-up when Keyward asks for one.</summary>
    public Option<FileInfo> KeyFile { get; } = new("--key") { Description = "The virtual security key file (performs a step-up when Keyward asks for one).", DefaultValueFactory = _ => new FileInfo(CliPaths.DefaultKeyFile) };

    /// <summary>Where <c>keyward login</c> kept the session token.</summary>
    public Option<FileInfo> TokenFile { get; } = new("--token-file") { Description = "Where keyward login kept the session token.", DefaultValueFactory = _ => new FileInfo(CliPaths.DefaultTokenFile) };

    /// <summary>One JSON document (Keyward's answer, its field names stable) instead of a table.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document (stable field names) instead of a table." };

    /// <summary>New options, added to <paramref name="command"/>.</summary>
    public static OperatorOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new OperatorOptions();
        foreach (var option in new Option[] { options.Server, options.CaCert, options.Resolve, options.KeyFile, options.TokenFile, options.Json })
        {
            command.Options.Add(option);
        }

        return options;
    }
}
