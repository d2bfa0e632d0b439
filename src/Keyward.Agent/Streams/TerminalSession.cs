using System.Diagnostics;
using Keyward.Agent.Runtime;

namespace Keyward.Agent.Streams;

/// <summary>
/// The terminal handler: a login shell under a real PTY, made by util-linux <c>script -qfec</c> (it allocates the
/// PTY, makes it the shell's controlling terminal and copies bytes both ways; chosen over forkpty by P/Invoke because
/// a forked .NET process must exec at once, which <c>script</c> does for us). The PTY size comes from the
/// <c>open</c> message (stty); later resizes are not carried yet.
/// </summary>
internal sealed class TerminalSession : IAsyncDisposable
{
    private readonly Process _process;

    private TerminalSession(Process process) => _process = process;

    public Stream Output => _process.StandardOutput.BaseStream;

    public Stream Input => _process.StandardInput.BaseStream;

    public static TerminalSession? Start(TerminalOptions options, int cols, int rows)
    {
        var login = options.User is { Length: > 0 } user
            ? "exec su -l " + Quote(user)
            : "exec " + Quote(options.Shell) + " -l";
        var size = cols > 0 && rows > 0 ? $"stty cols {cols} rows {rows} 2>/dev/null; " : string.Empty;
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
        try
        {
            var process = Process.Start(start);
            return process is null ? null : new TerminalSession(process);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
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
