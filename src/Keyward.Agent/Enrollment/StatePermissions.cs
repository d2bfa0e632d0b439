using System.Globalization;
using System.Runtime.InteropServices;

namespace Keyward.Agent.Enrollment;

/// <summary>
/// The agent key is the machine's identity, so its folder and file must be the agent user's alone: a state directory
/// that group or others may write (they could swap <c>ca.pem</c> or the key) or that another user owns is refused, and so
/// is a key file that group or others may read or write, or that another user owns. Checked at enroll (an existing
/// directory, before the token is spent), at <c>agent run</c> and before each connection (a key made 0644 later).
/// The owner is read with <c>statx(2)</c> on Linux; on other systems only the mode is checked.
/// </summary>
internal static class StatePermissions
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const UnixFileMode GroupOrOthersWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Refuses a state directory writable by group or others, or not owned by the current user.</summary>
    /// <exception cref="AgentStateException">It is; the message names the path and the fix.</exception>
    public static void CheckDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Keyward agent runs on Linux and other Unix systems only.");
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthersWrite) != 0)
        {
            throw new AgentStateException($"The agent state directory {path} is writable by group or others (mode {Octal(mode)}): run 'chmod 700 {path}', or use a new --state-dir.");
        }

        CheckOwner(path, "state directory", $"use a state directory of your own, or run the agent as its owner");
    }

    /// <summary>Refuses a key file that group or others may use, or that the current user does not own.</summary>
    /// <exception cref="AgentStateException">It is; the message names the path and the fix (never the key).</exception>
    public static void CheckKeyFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Keyward agent runs on Linux and other Unix systems only.");
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new AgentStateException($"The agent key file {path} may be used by group or others (mode {Octal(mode)}): run 'chmod 600 {path}' (and, as others may have read it, ask an admin to revoke the key and enroll again).");
        }

        CheckOwner(path, "key file", "run the agent as its owner, or enroll again with a new enroll token");
    }

    private static void CheckOwner(string path, string what, string fix)
    {
        if (!OperatingSystem.IsLinux() || OwnerOf(path) is not { } owner)
        {
            return;
        }

        var me = GetEffectiveUserId();
        if (owner != me)
        {
            throw new AgentStateException($"The agent {what} {path} is owned by uid {owner.ToString(CultureInfo.InvariantCulture)}, not by this user (uid {me.ToString(CultureInfo.InvariantCulture)}): {fix}.");
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    // statx(2): struct statx has the same layout on every Linux architecture; stx_uid is at offset 20.
    private static uint? OwnerOf(string path)
    {
        const int AtFdCwd = -100;
        const uint StatxUid = 0x8;
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, 0, StatxUid, buffer) != 0)
        {
            throw new AgentStateException($"Could not read the owner of {path} (error {Marshal.GetLastPInvokeError().ToString(CultureInfo.InvariantCulture)}): check that it exists and that this user may read it.");
        }

        return BitConverter.ToUInt32(buffer, 20);
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this package does not allow.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint GetEffectiveUserId();
}
