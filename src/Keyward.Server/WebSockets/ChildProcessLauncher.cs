using System.Diagnostics;

namespace Keyward.Server.WebSockets;

/// <summary>
/// Starts child processes of Keyward with the internal credential in their environment
/// (<see cref="InternalCredential.EnvironmentVariable"/>), and only there: never in Keyward's own environment, a
/// command line (visible to every user in /proc/&lt;pid&gt;/cmdline) or a file.
/// </summary>
internal sealed class ChildProcessLauncher(InternalCredential credential)
{
    /// <summary>Puts the credential into <paramref name="info"/>'s environment (minting it on first use).</summary>
    public ProcessStartInfo Prepare(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);

        // ProcessStartInfo.Environment only reaches the child without the shell.
        info.UseShellExecute = false;
        info.Environment[InternalCredential.EnvironmentVariable] = credential.GetOrMint();
        return info;
    }

    /// <summary>Starts <paramref name="info"/> as a child holding the credential.</summary>
    public Process Start(ProcessStartInfo info) =>
        Process.Start(Prepare(info)) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
}
