using System.CommandLine;
using Keyward.Client;

namespace Keyward.Cli.Broker;

/// <summary>
/// The client commands' <c>--resolve HOST:ADDRESS</c> (repeatable, like curl's): connect to ADDRESS for HOST, still
/// checking Keyward's certificate against HOST. <c>localhost</c> and <c>*.localhost</c> always go to 127.0.0.1
/// (<see cref="HostResolution"/>). A malformed value is a usage error (exit 2).
/// </summary>
internal static class ResolveOption
{
    public static Option<string[]> Create()
    {
        var option = new Option<string[]>("--resolve")
        {
            Description = "Connect to ADDRESS for HOST (HOST:ADDRESS, repeatable), e.g. counter.example.com:10.0.0.5; *.localhost is always 127.0.0.1.",
            DefaultValueFactory = _ => [],
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!HostResolution.TryParse(token.Value, out _, out var error))
                {
                    result.AddError(error);
                }
            }
        });
        return option;
    }

    /// <summary>The resolution the command line asked for (validated while parsing).</summary>
    public static HostResolution Read(ParseResult parse, Option<string[]> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var entries = new List<KeyValuePair<string, System.Net.IPAddress>>();
        foreach (var value in parse.GetValue(option) ?? [])
        {
            if (HostResolution.TryParse(value, out var entry, out _))
            {
                entries.Add(entry);
            }
        }

        return entries.Count == 0 ? HostResolution.Default : new HostResolution(entries);
    }
}
