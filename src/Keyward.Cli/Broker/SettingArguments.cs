using System.CommandLine;

namespace Keyward.Cli.Broker;

/// <summary>
/// The trailing <c>--Keyward:Setting=value</c> overrides that serve, config check, admin recover and audit export
/// take (the same keys as the settings file, docs/configuration.md). One argument, so help shows them as what they are
/// rather than as the parser's generic "additional arguments".
/// </summary>
internal static class SettingArguments
{
    /// <summary>A new overrides argument; <paramref name="example"/> is the setting shown in help.</summary>
    public static Argument<string[]> Create(string example = "--Keyward:Setting=value") => new(example)
    {
        Arity = ArgumentArity.ZeroOrMore,
        Description = "Settings that override the file and the environment, as --Section:Key=value (docs/configuration.md).",
    };
}
