using System.Diagnostics;

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

    public static CounterProcess Start(int port, string authority, string caFile, string certificate, string key, string dataDirectory)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Keyward.Samples.Counter.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The counter sample is missing ({dll}); build the solution first.");
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            dll,
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
        var counter = new CounterProcess(process);
        process.OutputDataReceived += (_, e) => counter.Record(e.Data);
        process.ErrorDataReceived += (_, e) => counter.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return counter;
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
