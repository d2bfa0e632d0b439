using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Keyward.EndToEnd.Tests.Processes;
using Keyward.Testing;

namespace Keyward.EndToEnd.Tests.Install;

/// <summary>
/// <c>keyward</c> as an installed .NET tool (README.md, "Install"): the CLI the solution build made is packed into a
/// temporary folder, installed from there into a temporary tool path with a NuGet configuration that names that folder
/// and no other source (so nothing can come from elsewhere, and no network is needed), and run from the tool path:
/// <c>keyward --version</c> and the whole <c>keyward demo</c>, whose counter must come with the package.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ToolInstallTests : IDisposable
{
    // Everything (package, tool path, the demo's data) in one folder of the test run, which the leak scan reads.
    private readonly TempDirectory _work = new("keyward-tool-");

    [Fact]
    public async Task InstalledTool_VersionAndDemo_PrintTheBuiltVersionAndPassTheDemo()
    {
        var built = FileVersionInfo.GetVersionInfo(CliBinaries.Keyward()).ProductVersion;
        Assert.False(string.IsNullOrEmpty(built), "keyward.dll has no informational version.");

        // The build's own output, packed as it is: --no-build does not restore or compile, so it neither needs the
        // network nor rewrites the binaries other tests are running. Publish and nuspec go to the temporary folder.
        var packages = _work.Combine("packages");
        await RunAsync("dotnet", [
            "pack", CliBinaries.Project(), "--no-build", "-c", CliBinaries.Configuration, "-o", packages,
            "--disable-build-servers", "-nodeReuse:false",
            $"-p:PublishDir={_work.Combine("publish")}/", $"-p:NuspecOutputPath={_work.Combine("nuspec")}/",
        ], CliBinaries.RepositoryRoot());
        var package = Assert.Single(Directory.GetFiles(packages, "*.nupkg"));
        var version = Regex.Match(Path.GetFileName(package), @"^keyward\.(?<version>\d+\.\d+\.\d+.*)\.nupkg$").Groups["version"].Value;
        Assert.False(string.IsNullOrEmpty(version), $"{package} is not named keyward.<version>.nupkg");

        var config = _work.Combine("nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="keyward-build" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var tools = _work.Combine("tools");
        await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--configfile", config, "keyward", "--version", version], _work.Path);

        var keyward = Path.Combine(tools, OperatingSystem.IsWindows() ? "keyward.exe" : "keyward");
        var printed = (await RunAsync(keyward, ["--version"], _work.Path)).Trim();
        Assert.Equal(built, printed);
        Assert.Matches($@"^{Regex.Escape(version)}(\+[0-9a-f]+)?$", printed);

        var demo = await RunAsync(keyward, ["demo", "--data-dir", _work.Combine("demo")], _work.Path);
        Assert.Contains("values 1..20", demo, StringComparison.Ordinal);
        Assert.Contains("after sign-out: 401 session_logged_out", demo, StringComparison.Ordinal);
        Assert.EndsWith("Demo passed.", demo.TrimEnd(), StringComparison.Ordinal);
    }

    public void Dispose() => _work.Dispose();

    // Runs a program to its end; a non-zero exit fails the test with everything it printed.
    private static async Task<string> RunAsync(string program, string[] args, string workingDirectory)
    {
        // The tool's launcher finds .NET through DOTNET_ROOT: the installation this test runs on.
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var environment = new Dictionary<string, string> { ["DOTNET_ROOT"] = dotnetRoot, ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        var (exit, output) = await RealProcess.RunProgramAsync(program, args, workingDirectory, environment, TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"{Path.GetFileName(program)} {string.Join(' ', args)} exited {exit}:\n{output}");
        return output;
    }
}
