using System.CommandLine;
using Keyward.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace Keyward.Cli.Admin;

/// <summary>
/// What a command run on the server itself (break-glass, vault rekey) reads, as <c>keyward serve</c> would: the
/// <c>--config</c> JSON file, then the environment, then <c>--Keyward:…=value</c> arguments; the data directory from
/// <c>--data-dir</c>, else <c>Keyward:DataDirectory</c>, else <c>./data</c>; and <c>Keyward:Storage</c>.
/// </summary>
/// <param name="Settings">The configuration, for the command's own sections.</param>
/// <param name="DataDirectory">The data directory, as a full path.</param>
/// <param name="Storage">The storage options.</param>
internal sealed record ServerSideSettings(IConfiguration Settings, string DataDirectory, StorageOptions Storage)
{
    /// <summary>The settings, or null (after saying so on the error writer) when the named <c>--config</c> file does not exist.</summary>
    public static ServerSideSettings? Load(ParseResult parse, Option<DirectoryInfo?> dataDir, Option<FileInfo?> config, Argument<string[]> overrides)
    {
        var file = parse.GetValue(config);
        if (file is { Exists: false })
        {
            parse.InvocationConfiguration.Error.WriteLine($"{file.FullName} does not exist.");
            return null;
        }

        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(file.FullName, optional: false);
        }

        var settings = builder.AddEnvironmentVariables().AddCommandLine(parse.GetValue(overrides) ?? []).Build();
        var directory = parse.GetValue(dataDir)?.FullName ?? Path.GetFullPath(settings["Keyward:DataDirectory"] ?? "./data");
        return new(settings, directory, settings.GetSection("Keyward:Storage").Get<StorageOptions>() ?? new StorageOptions());
    }
}
