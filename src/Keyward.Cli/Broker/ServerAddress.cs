using System.CommandLine;
using System.CommandLine.Parsing;

namespace Keyward.Cli.Broker;

/// <summary>The client commands' <c>--server</c>: Keyward's absolute https address (plain http only to loopback, for a Development Keyward).</summary>
internal static class ServerAddress
{
    public const string Default = "https://localhost:8443";

    public static Option<Uri> Create() => new("--server")
    {
        Description = $"Keyward's address, e.g. {Default} (http only on loopback).",
        DefaultValueFactory = _ => new Uri(Default),
        CustomParser = Parse,
    };

    public static Uri? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || string.IsNullOrEmpty(address.Host))
        {
            result.AddError($"--server '{text}' is not an absolute URL; give Keyward's address, e.g. {Default}.");
            return null;
        }

        if (address.Scheme != Uri.UriSchemeHttps && !(address.Scheme == Uri.UriSchemeHttp && address.IsLoopback))
        {
            result.AddError($"--server '{text}' must be an https URL, e.g. {Default} (http is accepted only on loopback).");
            return null;
        }

        return address;
    }
}
