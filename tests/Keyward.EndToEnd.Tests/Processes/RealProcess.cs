using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Keyward.EndToEnd.Tests.Processes;

/// <summary>
/// A real child process (<c>dotnet some.dll …</c>, or any program) whose output lines are kept, for the tests that run
/// Keyward and the counter as an operator would: started, waited on, killed with SIGKILL, started again on the same files.
/// </summary>
internal sealed class RealProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly SemaphoreSlim _lineArrived = new(0);

    private RealProcess(Process process) => _process = process;

    /// <summary>The command line, for failure messages.</summary>
    public required string Description { get; init; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (the cluster tests find a node's database connections by it).</summary>
    public int Id => _process.Id;

    /// <summary>Everything the process wrote so far (stdout and stderr, interleaved by arrival).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> without colour or live redraws.</summary>
    public static RealProcess Start(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        StartProgram("dotnet", [dll, .. args], environment, workingDirectory ?? Path.GetDirectoryName(dll)!, Path.GetFileName(dll));

    /// <summary>
    /// Starts <paramref name="program"/> (a path, or a name looked up on PATH) with <paramref name="args"/>, without
    /// colour or live redraws; <paramref name="name"/> stands for the program in <see cref="Description"/>.
    /// </summary>
    public static RealProcess StartProgram(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string workingDirectory, string? name = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        info.Environment["TERM"] = "dumb";
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var description = name is null ? $"{Path.GetFileName(program)} {string.Join(' ', info.ArgumentList)}" : $"{name} {string.Join(' ', info.ArgumentList.Skip(1))}";
        var started = new RealProcess(process) { Description = description };
        process.OutputDataReceived += (_, e) => started.Record(e.Data);
        process.ErrorDataReceived += (_, e) => started.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs a command to its end and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        WaitAsync(Start(dll, args, environment), timeout);

    /// <summary>Runs <paramref name="program"/> (see <see cref="StartProgram"/>) to its end and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunProgramAsync(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null) =>
        WaitAsync(StartProgram(program, args, environment, workingDirectory), timeout);

    private static async Task<(int ExitCode, string Output)> WaitAsync(RealProcess started, TimeSpan? timeout)
    {
        await using var process = started;
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process._process.WaitForExitAsync(limit.Token);

            // WaitForExitAsync returns after the redirected streams reached their end, so Output is complete.
            return (process._process.ExitCode, process.Output);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{process.Description} did not finish in time:\n{process.Output}");
        }
    }

    /// <summary>Waits until a line matches <paramref name="pattern"/>; fails if the process exits first.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        var seen = 0;
        while (true)
        {
            string[] lines;
            lock (_output)
            {
                lines = [.. _output.Skip(seen)];
            }

            seen += lines.Length;
            foreach (var line in lines)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Description} exited ({_process.ExitCode}) before printing /{pattern}/:\n{Output}");
            }

            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Description} did not print /{pattern}/ in time:\n{Output}");
            }
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        _lineArrived.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        _lineArrived.Release();
    }
}
