using System.Diagnostics;
using Keyward.Agent.Runtime;
using Microsoft.Win32.SafeHandles;

namespace Keyward.Agent.Streams;

/// <summary>
/// The terminal handler: a login shell under a real PTY, made by util-linux <c>script -qfec</c> (it allocates the
/// PTY, makes it the shell's controlling terminal and copies bytes both ways; chosen over forkpty by P/Invoke because
/// a forked .NET process must exec at once, which <c>script</c> does for us). The agent sizes the PTY itself
/// (<see cref="PtyWindow"/>): once at the start, before the stream is reported open, and on every <c>resize</c>, so
/// all sizes are set by one party in the order Keyward sent them (a <c>stty</c> in the shell's command line could run
/// after a resize and undo it).
/// </summary>
internal sealed class TerminalSession : IAsyncDisposable
{
    // How long the start waits for script to make its PTY (a few milliseconds in practice); past it the stream opens
    // anyway and each resize looks again.
    private static readonly TimeSpan PtyPatience = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PtyPoll = TimeSpan.FromMilliseconds(5);

    private readonly Process _process;
    private readonly Lock _lock = new();
    private SafeFileHandle? _pty;
    private bool _disposed;

    private TerminalSession(Process process) => _process = process;

    public Stream Output => _process.StandardOutput.BaseStream;

    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Starts the shell and sizes its PTY to <paramref name="cols"/> × <paramref name="rows"/>; null when it could not start.</summary>
    public static async Task<TerminalSession?> StartAsync(TerminalOptions options, int cols, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var login = options.User is { Length: > 0 } user
            ? "exec su -l " + Quote(user)
            : "exec " + Quote(options.Shell) + " -l";

        // Where the agent cannot size the PTY, the shell's command line sets the first size (later resizes are ignored).
        var size = !PtyWindow.IsSupported && PtyWindow.InBounds(cols, rows) ? $"stty cols {cols} rows {rows} 2>/dev/null; " : string.Empty;
        var start = new ProcessStartInfo(options.ScriptPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            WorkingDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home && Directory.Exists(home) ? home : "/",
        };
        foreach (var argument in new[] { "-q", "-f", "-e", "-c", size + login, "/dev/null" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TERM"] = "xterm-256color";

        // The agent's own settings (a key passphrase, an enroll token) are not the technician's business.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("KEYWARD_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        if (process is null)
        {
            return null;
        }

        var session = new TerminalSession(process);
        if (PtyWindow.IsSupported)
        {
            try
            {
                await session.SizeFirstAsync(cols, rows, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return session;
    }

    /// <summary>
    /// Sets the PTY's size (the shell's foreground job gets SIGWINCH). False, and nothing changes, when the size is out
    /// of bounds (1–1000 each), the platform cannot size a PTY, or the PTY is not there (not made yet, or gone).
    /// </summary>
    public bool Resize(int cols, int rows)
    {
        if (!PtyWindow.InBounds(cols, rows) || !PtyWindow.IsSupported)
        {
            return false;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            _pty ??= PtyWindow.Open(_process.Id);
            return _pty is not null && PtyWindow.TrySet(_pty, cols, rows);
        }
    }

    // The real clock, not the agent's TimeProvider: this waits for another process, not for anything in the protocol.
    private async Task SizeFirstAsync(int cols, int rows, CancellationToken cancellationToken)
    {
        for (var waited = TimeSpan.Zero; waited < PtyPatience && !_process.HasExited; waited += PtyPoll)
        {
            if (Resize(cols, rows))
            {
                return;
            }

            await Task.Delay(PtyPoll, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            _pty?.Dispose();
            _pty = null;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
