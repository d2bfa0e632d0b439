using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>Where the CLI keeps its files by default (XDG config home, e.g. ~/.config/keyward).</summary>
internal static class CliPaths
{
    public static string ConfigDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "keyward");

    public static string DefaultKeyFile => Path.Combine(ConfigDirectory, "key.json");

    public static string DefaultTokenFile => Path.Combine(ConfigDirectory, "session");

    /// <summary>The passphrase of the virtual key file: KEYWARD_KEY_PASSPHRASE, or asked on the terminal.</summary>
    public static string Passphrase()
    {
        if (Environment.GetEnvironmentVariable("KEYWARD_KEY_PASSPHRASE") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            throw new InvalidOperationException("Set KEYWARD_KEY_PASSPHRASE: there is no terminal to ask for the key file's passphrase.");
        }

        return AnsiConsole.Prompt(new TextPrompt<string>("Key file passphrase:").Secret());
    }

    /// <summary>Writes the session token owner-only (0600), replacing any earlier one.</summary>
    public static void SaveToken(string path, string token) => WritePrivate(path, token);

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> owner-only (0600), replacing any earlier file.</summary>
    public static void WritePrivate(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var temp = path + ".tmp";
        using (var writer = new StreamWriter(new FileStream(temp, options)))
        {
            writer.Write(text);
        }

        File.Move(temp, path, overwrite: true);
    }
}
