using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Keyward.LoadBench.Load;

/// <summary>
/// Debian's wrk as the generator: one thread (C, epoll, OpenSSL), <c>--latency</c> for its HdrHistogram percentiles,
/// a Lua script for the POST and the credential header. wrk does not verify certificates; every target is loopback.
/// </summary>
internal sealed class WrkGenerator(string executable, string scratchDirectory) : ILoadGenerator
{
    /// <summary>Longer than any answer should take; a slower one counts as a wrk timeout error.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public string Description => $"wrk ({executable}, 1 thread, separate process)";

    public bool CountsEveryRequest => false;

    /// <summary>The wrk on PATH, or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "wrk"))
            .FirstOrDefault(File.Exists);

    public async Task<RunResult> RunAsync(Target target, RequestCredential credential, TimeSpan duration, int connections, CancellationToken cancellationToken)
    {
        var script = Path.Combine(scratchDirectory, $"wrk-{target.Name}.lua");
        await File.WriteAllTextAsync(script, Script(credential), cancellationToken);
        var seconds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "-t1",
            $"-c{connections.ToString(CultureInfo.InvariantCulture)}",
            $"-d{seconds.ToString(CultureInfo.InvariantCulture)}s",
            $"--timeout={((int)RequestTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s",
            "--latency",
            "-s", script,
            target.Address.ToString(),
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start wrk");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        // wrk stops itself after -d; this bound only catches a wrk that hangs.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(seconds) + RequestTimeout + TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"wrk did not stop after {seconds} s against {target.Address}.");
        }

        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await stderr}{output}");
        }

        return WrkOutput.Parse(output);
    }

    /// <summary>POST with an empty body (wrk then sends Content-Length: 0, as HttpClient does) and the credential.</summary>
    private static string Script(RequestCredential credential)
    {
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.AppendLine("wrk.body = \"\"");
        lua.Append(CultureInfo.InvariantCulture, $"wrk.headers[\"{Escape(credential.Header)}\"] = \"{Escape(credential.Value)}\"").AppendLine();
        return lua.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    public void Dispose()
    {
    }
}
