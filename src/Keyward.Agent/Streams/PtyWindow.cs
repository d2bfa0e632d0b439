using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;

namespace Keyward.Agent.Streams;

/// <summary>
/// Sets a terminal's size on the PTY that util-linux <c>script</c> made for it: the PTY is found from <c>script</c>'s
/// own open files (its <c>/dev/ptmx</c> master's <c>tty-index</c> in <c>/proc/PID/fdinfo</c>, else the
/// <c>/dev/pts/N</c> it holds open), opened once with <c>O_NOCTTY</c> (it must never become the agent's controlling
/// terminal), and sized with <c>ioctl(TIOCSWINSZ)</c>, after which the kernel sends SIGWINCH to the shell's foreground
/// job, as on any terminal. The files read belong to <c>script</c>, the agent's own child, not to the shell the
/// technician drives. Linux on the architectures whose <c>TIOCSWINSZ</c> is the generic 0x5414 only; elsewhere
/// <see cref="IsSupported"/> is false and resizes are ignored.
/// </summary>
internal static partial class PtyWindow
{
    /// <summary>The bounds of a terminal's size, as the viewer plane's (docs/remote-support.md, "The viewer socket").</summary>
    public const int MaxCols = 1000;

    /// <summary>The most rows.</summary>
    public const int MaxRows = 1000;

    // asm-generic/ioctls.h; fcntl.h (asm-generic values).
    private const uint TiocSetWindowSize = 0x5414;
    private const int OpenReadOnly = 0;
    private const int OpenNoControllingTty = 0x100;
    private const int OpenNonBlocking = 0x800;
    private const int OpenCloseOnExec = 0x80000;

    /// <summary>True where this can size a PTY: Linux on x64, Arm64, x86 or Arm.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64 or Architecture.X86 or Architecture.Arm;

    /// <summary>True when <paramref name="cols"/> and <paramref name="rows"/> are a size Keyward sends (1–1000 each).</summary>
    public static bool InBounds(int cols, int rows) => cols is >= 1 and <= MaxCols && rows is >= 1 and <= MaxRows;

    /// <summary>The PTY <c>script</c> (process <paramref name="scriptPid"/>) made, opened for sizing; null while it has none yet.</summary>
    public static SafeFileHandle? Open(int scriptPid)
    {
        if (!IsSupported || FindSlave(scriptPid) is not { } path)
        {
            return null;
        }

        var fd = OpenFile(path, OpenReadOnly | OpenNoControllingTty | OpenNonBlocking | OpenCloseOnExec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Sets the size; false when the PTY refused it (it has gone).</summary>
    public static bool TrySet(SafeFileHandle pty, int cols, int rows)
    {
        ArgumentNullException.ThrowIfNull(pty);
        if (!InBounds(cols, rows))
        {
            return false;
        }

        var size = new WindowSize { Rows = (ushort)rows, Cols = (ushort)cols };
        var added = false;
        try
        {
            pty.DangerousAddRef(ref added);
            return SetWindowSize((int)pty.DangerousGetHandle(), TiocSetWindowSize, ref size) == 0;
        }
        finally
        {
            if (added)
            {
                pty.DangerousRelease();
            }
        }
    }

    // /dev/pts/N of script's master (its fdinfo's "tty-index: N", where the kernel shows it), else a /dev/pts/N link among its own files
    // past 0-2 (those are the agent's pipes and stderr, which may be the agent's own terminal).
    internal static string? FindSlave(int scriptPid)
    {
        var fds = string.Create(CultureInfo.InvariantCulture, $"/proc/{scriptPid}/fd");
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(fds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string? held = null;
        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd <= 2)
            {
                continue;
            }

            string? link;
            try
            {
                link = new FileInfo(entry).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (link is "/dev/ptmx" or "/dev/pts/ptmx" && MasterIndex(scriptPid, fd) is { } index)
            {
                return string.Create(CultureInfo.InvariantCulture, $"/dev/pts/{index}");
            }

            if (link is not null && SlavePath().IsMatch(link))
            {
                held ??= link;
            }
        }

        return held;
    }

    private static int? MasterIndex(int pid, int fd)
    {
        try
        {
            foreach (var line in File.ReadLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/fdinfo/{fd}")))
            {
                if (line.StartsWith("tty-index:", StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan("tty-index:".Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return index;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile.
        }

        return null;
    }

    [GeneratedRegex(@"^/dev/pts/[0-9]{1,7}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlavePath();

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this package does not allow.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenFile([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetWindowSize(int fd, nuint request, ref WindowSize size);
}
