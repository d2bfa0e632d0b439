using System.Diagnostics;

namespace Keyward.LoadBench.Trivial;

/// <summary>
/// This bench's own dll run again as a child process in one of its child roles (the trivial upstream, the sign-in
/// clients), so that its CPU and allocations are counted apart from the process under test. The child stops when
/// its stdin closes, so it cannot outlive the bench.
/// </summary>
internal sealed class BenchChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchChild(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>CPU time the child has used so far (user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

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

    /// <summary>Starts <c>dotnet Keyward.LoadBench.dll &lt;args&gt;</c> with <paramref name="environment"/> added.</summary>
    public static BenchChild Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = typeof(BenchChild).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a bench child process");
        var child = new BenchChild(process);
        process.OutputDataReceived += (_, e) => child.Record(e.Data, fromStdout: true);
        process.ErrorDataReceived += (_, e) => child.Record(e.Data, fromStdout: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the child's <c>ready</c> line; throws with its last output when it exits or takes too long.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        var exited = _process.WaitForExitAsync(bound.Token);
        var first = await Task.WhenAny(_ready.Task, exited);
        if (first != _ready.Task)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"a bench child did not get ready within {timeout.TotalSeconds:0} s: " + string.Join(" | ", Output.TakeLast(10)));
        }
    }

    /// <summary>Sends one line to the child's stdin.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The first stdout line starting with <c>result </c>, without that prefix.</summary>
    public async Task<string> ResultAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        var exited = _process.WaitForExitAsync(bound.Token);
        var first = await Task.WhenAny(_result.Task, exited);
        if (first != _result.Task)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("a bench child gave no result: " + string.Join(" | ", Output.TakeLast(10)));
        }

        return await _result.Task;
    }

    private void Record(string? line, bool fromStdout)
    {
        if (line is null)
        {
            return;
        }

        if (fromStdout && line == "ready")
        {
            _ready.TrySetResult();
        }
        else if (fromStdout && line.StartsWith("result ", StringComparison.Ordinal))
        {
            _result.TrySetResult(line["result ".Length..]);
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
