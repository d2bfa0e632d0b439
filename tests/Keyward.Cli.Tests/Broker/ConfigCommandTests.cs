using Keyward.Testing;

namespace Keyward.Cli.Tests.Broker;

/// <summary><c>keyward config check</c>: the example file is valid; a bad file gets every problem at once, exit 2.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("keyward-config-check-");

    [Fact]
    public async Task Check_TheRepositorysExampleFile_IsValid()
    {
        var (code, output, error) = await CommandLineRun.RunAsync("config", "check", "--config", ExampleFile());

        Assert.True(code == 0, error);
        Assert.EndsWith("keyward.example.json: the settings are valid.", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AMisspelledSetting_IsAProblemNamingTheClosestKnownOne()
    {
        // A route whose policy was misspelled would run without it: that is an error, not an ignored key.
        var file = _dir.Combine("typo.json");
        await File.WriteAllTextAsync(file, """
            {
              "Keyward": {
                "Lisen": "https://127.0.0.1:9443",
                "Routes": { "admin": { "Path": "/admin/{**rest}", "Upstream": "http://127.0.0.1:5080", "Rol": "admin" } }
              }
            }
            """);

        var (code, _, error) = await CommandLineRun.RunAsync("config", "check", "--config", file, $"--Keyward:DataDirectory={_dir.Combine("data")}");

        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("Keyward:Lisen is not a setting Keyward knows (did you mean Keyward:Listen?): check its spelling against docs/configuration.md, or remove it.", lines);
        Assert.Contains(lines, l => l.StartsWith("Keyward:Routes:admin:Rol is not a setting Keyward knows (did you mean Keyward:Routes:admin:Role?)", StringComparison.Ordinal));
        Assert.EndsWith("typo.json: 2 problems.", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AFileWithThreeErrors_NamesEachSettingAtOnce_Exit2_NoStackTraceNoValue()
    {
        var file = _dir.Combine("bad.json");
        await File.WriteAllTextAsync(file, """
            {
              "Keyward": {
                "Sessions": { "IdleTimeout": "fifteen minutes" },
                "Storage": { "Provider": "Postgres" },
                "Metrics": { "Listen": "https://0.0.0.0:9464" },
              }
            }
            """);

        var (code, _, error) = await CommandLineRun.RunAsync("config", "check", "--config", file, $"--Keyward:DataDirectory={_dir.Combine("data")}");

        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("Keyward:Sessions:IdleTimeout must be a duration", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Keyward:Storage:ConnectionString is required", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Keyward:Metrics:Listen must be", StringComparison.Ordinal));
        Assert.EndsWith("bad.json: 3 problems.", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("fifteen", error, StringComparison.Ordinal);

        // Nothing was written: no data directory (no lock, no database, no TLS material).
        Assert.Equal([file], Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task Check_NotJsonOrMissing_SaysSoInOneLine_Exit2()
    {
        var file = _dir.Combine("broken.json");
        await File.WriteAllTextAsync(file, "{ \"Keyward\": { \"Listen\": } }");

        var (broken, _, brokenError) = await CommandLineRun.RunAsync("config", "check", "--config", file);
        var (missing, _, missingError) = await CommandLineRun.RunAsync("config", "check", "--config", _dir.Combine("nope.json"));

        Assert.Equal(2, broken);
        Assert.Contains("it is not valid JSON", brokenError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", brokenError, StringComparison.Ordinal);
        Assert.Equal(2, missing);
        Assert.EndsWith("nope.json does not exist.", missingError.TrimEnd(), StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();

    private static string ExampleFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var example = Path.Combine(dir.FullName, "keyward.example.json");
            if (File.Exists(example) && File.Exists(Path.Combine(dir.FullName, "Keyward.slnx")))
            {
                return example;
            }
        }

        throw new InvalidOperationException("keyward.example.json was not found above the test binaries.");
    }
}
