using System.Diagnostics;

namespace Keyward.EndToEnd.Tests.Demo;

/// <summary>
/// <c>keyward demo</c> as a real process: Keyward and the counter on loopback with TLS, the whole sign-in flow,
/// 200 counter calls at parallelism 32 whose values must be unique and gap-free, sign-out, then 401.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class DemoProcessTests
{
    [Fact]
    public async Task Demo_200RequestsAtParallelism32_PassesWithUniqueGapFreeValues()
    {
        var cli = LocateCli();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "demo", "--requests", "200", "--parallelism", "32" })
        {
            info.ArgumentList.Add(arg);
        }

        // Plain output: no ANSI colours or live progress redraws in captured logs.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["TERM"] = "dumb";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("keyward demo did not finish within 3 minutes:\n" + await stdout);
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"keyward demo exited {process.ExitCode}:\n{output}");
        Assert.Contains("Demo passed.", output, StringComparison.Ordinal);
        Assert.Contains("values 1..200", output, StringComparison.Ordinal);
        Assert.Contains("after sign-out: 401 session_logged_out", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);

        // The demo prints no session token (only its own report).
        Assert.DoesNotContain("kws_", output, StringComparison.Ordinal);
    }

    /// <summary>keyward.dll in src/Keyward.Cli's output for the configuration these tests were built in.</summary>
    private static string LocateCli()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyward.slnx")))
            {
                var cli = Path.Combine(dir.FullName, "src", "Keyward.Cli", "bin", configuration, "net10.0", "keyward.dll");
                Assert.True(File.Exists(cli), $"{cli} is missing; build the solution first.");
                return cli;
            }
        }

        throw new InvalidOperationException("The repository root (Keyward.slnx) was not found above the test binaries.");
    }
}
