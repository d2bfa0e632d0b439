using System.CommandLine;
using Keyward.Server.Hosting;

namespace Keyward.Cli.Broker;

/// <summary>
/// <c>keyward config check --config FILE</c>: builds Keyward from the file exactly as <c>serve</c> would and runs the
/// checks <c>serve</c> runs at start, without starting it: nothing is written, no port is bound, no lock is taken. Every
/// problem is printed at once, one line each naming the setting and the fix (never a value); exit 0 valid, 2 not.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "The JSON settings file to check (see keyward.example.json and docs/configuration.md).", Required = true };
        var settings = SettingArguments.Create();
        var check = new Command("check", "Check a settings file without starting Keyward: every problem at once (exit 2), nothing written. Any --Keyward:Setting=value argument is checked with it.")
        {
            settings,
        };
        check.Options.Add(config);
        check.SetAction(parse => CheckAsync(parse.GetValue(config)!, parse.GetValue(settings) ?? [], parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return new Command("config", "Keyward's settings files.") { check };
    }

    /// <summary>Checks <paramref name="file"/> (with <paramref name="overrides"/> on top, as serve reads them).</summary>
    public static async Task<int> CheckAsync(FileInfo file, IReadOnlyList<string> overrides, TextWriter output, TextWriter error)
    {
        if (!file.Exists)
        {
            await error.WriteLineAsync($"{file.FullName} does not exist.").ConfigureAwait(false);
            return 2;
        }

        try
        {
            var app = KeywardHost.BuildForCheck([.. overrides], file.FullName);
            await using (app.ConfigureAwait(false))
            {
                KeywardHost.ValidateConfiguration(app);
            }
        }
        catch (Exception e) when (ConfigurationProblems.TryDescribe(e, out var lines))
        {
            foreach (var line in lines)
            {
                await error.WriteLineAsync(line).ConfigureAwait(false);
            }

            await error.WriteLineAsync($"{file.FullName}: {lines.Count} problem{(lines.Count == 1 ? string.Empty : "s")}.").ConfigureAwait(false);
            return 2;
        }

        await output.WriteLineAsync($"{file.FullName}: the settings are valid.").ConfigureAwait(false);
        return 0;
    }
}
