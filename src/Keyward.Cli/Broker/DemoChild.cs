using System.Collections.Concurrent;
using System.Diagnostics;

namespace Keyward.Cli.Broker;

/// <summary>
/// A child process of this same <c>keyward</c> binary (<c>keyward agent enroll</c>, <c>keyward agent run</c>) for
/// <c>keyward demo support</c>: its standard input is a pipe the demo writes to (the scripted person at the machine),
/// its output lines are kept (standard output and error, by arrival). Disposing kills it and its process tree.
/// </summary>
internal sealed class DemoChild : IAsyncDisposable
{
    // Children still running. When this process ends before the demo's own cleanup ran (a second Ctrl+C, or the
    // command line's termination timeout running out while Keyward stops), ProcessExit kills them: an agent of the demo
    // never outlives it.
    private static readonly ConcurrentDictionary<DemoChild, byte> Live = new();
    private static int _exitHooked;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private DemoChild(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>What the demo calls it in failures (never its arguments: they may name a state directory, never a secret).</summary>
    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>
    /// Starts <c>keyward <paramref name="args"/></c>. The child gets none of this process's <c>KEYWARD_*</c> variables
    /// (an inherited support code would turn an enrolled agent into an ad-hoc one), only <paramref name="environment"/>,
    /// which is where secrets go (never on the command line, where the process list shows them).
    /// </summary>
    public static DemoChild Start(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (program, prefix) = Self();
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var variable in info.Environment.Keys.Where(k => k.StartsWith("KEYWARD_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(variable);
        }

        info.Environment["NO_COLOR"] = "1";
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var live in Live.Keys)
                {
                    live.Kill();
                }
            };
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        var child = new DemoChild(process, name);
        Live[child] = 0;
        process.OutputDataReceived += (_, e) => child.Record(e.Data);
        process.ErrorDataReceived += (_, e) => child.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>How to start this binary again: the apphost or single-file executable as it is, or <c>dotnet keyward.dll</c>.</summary>
    internal static (string Program, string[] Prefix) Self()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("this process's executable is unknown");
        return Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? (path, [typeof(DemoChild).Assembly.Location])
            : (path, []);
    }

    /// <summary>Writes one line to the child's standard input (the person at the machine typing an answer).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for a line (from the start of its output) that <paramref name="match"/> accepts; fails if the child exits first or <paramref name="bound"/> passes.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(bound);
        var seen = 0;
        while (true)
        {
            var lines = Lines;
            foreach (var line in lines.Skip(seen))
            {
                if (match(line))
                {
                    return line;
                }
            }

            seen = lines.Count;
            if (_process.HasExited)
            {
                // Its last lines may still be in flight: WaitForExit drains the redirected streams.
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                if (Lines.Skip(seen).FirstOrDefault(match) is { } last)
                {
                    return last;
                }

                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before the expected line; it said: {Tail()}");
            }

            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{Name} did not print the expected line within {bound.TotalSeconds:0} s; it said: {Tail()}");
            }
        }
    }

    /// <summary>Waits for the child to exit on its own and returns its exit code; fails after <paramref name="bound"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(bound);
        try
        {
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not exit within {bound.TotalSeconds:0} s; it said: {Tail()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Its last few lines, for a failure message.</summary>
    public string Tail(int count = 6) => string.Join(" | ", Lines.TakeLast(count));

    public async ValueTask DisposeAsync()
    {
        Kill();
        Live.TryRemove(this, out _);
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not reaped in time: nothing more this process can do.
        }

        _process.Dispose();
        _arrived.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }

        try
        {
            _arrived.Release();
        }
        catch (ObjectDisposedException)
        {
            // A line that arrived while the child was being disposed: kept, nobody waits for it.
        }
    }
}
