using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Keyward.Cli.Broker;

/// <summary>
/// The protected counter sample as a child process on loopback with TLS, for <c>keyward demo</c> and the load bench
/// (which compiles this same file, bench/Keyward.LoadBench).
/// </summary>
internal sealed class CounterProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private CounterProcess(Process process) => _process = process;

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>CPU time the counter has used so far (user and system), for the load bench's report.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Where the host's build puts the counter: <c>counter/</c> beside the host's own dll (src/Keyward.Cli/CounterSample.targets
    /// builds the sample and copies it there; a framework-dependent publish and the tool package carry that folder).
    /// </summary>
    public static string PathBeside(string baseDirectory) => Path.Combine(baseDirectory, "counter", "Keyward.Samples.Counter.dll");

    /// <summary>
    /// Where a self-contained publish of the host puts the counter: <c>counter/</c> beside the host's executable, as a
    /// self-contained single-file executable of its own, so that it runs on a machine with no .NET installed.
    /// </summary>
    public static string ExecutableBeside(string baseDirectory) =>
        Path.Combine(baseDirectory, "counter", OperatingSystem.IsWindows() ? "Keyward.Samples.Counter.exe" : "Keyward.Samples.Counter");

    /// <summary>
    /// Finds the counter beside the running host: its dll (run with <c>dotnet</c>), or else its self-contained
    /// executable. When neither is there, <paramref name="problem"/> names the dll and the exact command, run from the
    /// repository root, that builds <paramref name="hostProject"/> (and so the counter).
    /// </summary>
    public static bool TryFind(string baseDirectory, string hostProject, [NotNullWhen(true)] out string? counter, [NotNullWhen(false)] out string? problem)
    {
        var path = PathBeside(baseDirectory);
        var executable = ExecutableBeside(baseDirectory);
        if (File.Exists(path) || File.Exists(executable))
        {
            counter = File.Exists(path) ? path : executable;
            problem = null;
            return true;
        }

        // The host's own configuration (Debug or Release), so the command rebuilds the folder this host runs from.
        var configuration = typeof(CounterProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        var build = string.IsNullOrEmpty(configuration) || configuration == "Debug" ? "dotnet build" : $"dotnet build -c {configuration}";
        problem = $"The counter sample is not built: {path} is missing. From the repository root, run `{build} {hostProject}`: "
            + "it builds samples/Keyward.Samples.Counter and copies it there.";
        counter = null;
        return false;
    }

    /// <summary>
    /// Starts the counter found by <see cref="TryFind"/>: a dll with <c>dotnet</c>, a self-contained executable as it is.
    /// </summary>
    public static CounterProcess Start(string counter, int port, string authority, string caFile, string certificate, string key, string dataDirectory)
    {
        if (!File.Exists(counter))
        {
            throw new InvalidOperationException($"The counter sample is missing ({counter}).");
        }

        var dll = counter.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(dll ? "dotnet" : counter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dll)
        {
            info.ArgumentList.Add(counter);
        }

        foreach (var arg in new[]
        {
            "--authority", authority,
            "--ca-file", caFile,
            "--data-dir", dataDirectory,
            $"--Kestrel:Endpoints:Https:Url=https://127.0.0.1:{port}",
            $"--Kestrel:Endpoints:Https:Certificate:Path={certificate}",
            $"--Kestrel:Endpoints:Https:Certificate:KeyPath={key}",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the counter");
        var started = new CounterProcess(process);
        process.OutputDataReceived += (_, e) => started.Record(e.Data);
        process.ErrorDataReceived += (_, e) => started.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public bool HasExited => _process.HasExited;

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
