using System.CommandLine;

namespace Keyward.Cli.Broker;

/// <summary>
/// The trailing <c>--Keyward:Setting=value</c> overrides that serve, config check, admin recover and audit export
/// take (the same keys as the settings file, docs/configuration.md). One argument, so help shows them as what they are
/// rather than as the parser's generic "additional arguments"; and checked, so a mistyped option (<c>--data-dri</c>)
/// is an error instead of a setting nobody reads while Keyward starts on the default data directory.
/// </summary>
internal static class SettingArguments
{
    // The host's own settings, which have no section: --environment Development is what allows DangerousAllowHttp.
    private static readonly string[] HostKeys = ["environment"];

    /// <summary>A new overrides argument; <paramref name="example"/> is the setting shown in help.</summary>
    public static Argument<string[]> Create(string example = "--Keyward:Setting=value")
    {
        var settings = new Argument<string[]>(example)
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "Settings that override the file and the environment, as --Section:Key=value (docs/configuration.md).",
        };
        settings.Validators.Add(result =>
        {
            if (Problem([.. result.Tokens.Select(t => t.Value)]) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return settings;
    }

    /// <summary>
    /// Why <paramref name="tokens"/> are not settings, or null: each is <c>--Section:Key=value</c>, or
    /// <c>--Section:Key</c> followed by its value. A key names a section (it has a ':'), so an option's name is never one;
    /// the host's <c>--environment</c> is the one key without.
    /// </summary>
    internal static string? Problem(IReadOnlyList<string> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal))
            {
                return $"Unexpected '{token}': settings are written --Section:Key=value (e.g. --Keyward:Listen=https://127.0.0.1:8443).";
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? token[2..] : token[2..equals];
            var hostKey = HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase);
            if (!hostKey && (!key.Contains(':', StringComparison.Ordinal) || key.StartsWith(':') || key.EndsWith(':')))
            {
                return $"Unknown option '{token}'. Settings are written --Section:Key=value (e.g. --Keyward:Listen=…); see --help for the options.";
            }

            if (equals < 0)
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return $"The setting '{token}' has no value: write {token}=value.";
                }

                i++;
            }
        }

        return null;
    }
}
