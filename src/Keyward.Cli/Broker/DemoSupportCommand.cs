using System.CommandLine;

namespace Keyward.Cli.Broker;

/// <summary>
/// <c>keyward demo support</c>: remote support end to end with real processes (issue 11, item 10; the walk is
/// <see cref="SupportDemo"/>). Exits 0 only when every planned step ran and passed.
/// </summary>
internal static class DemoSupportCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Keep state here (Keyward's data, the agent's state) instead of a temporary directory (kept afterwards)." };
        var support = new Command(
            "support",
            "Remote support for real on loopback with TLS: Keyward, an agent enrolled with a token and an ad-hoc one bound with a support code (child processes), "
            + "a person who consents and one who denies, a TCP forward and a terminal, the credential-confusion checks, and sign-out closing the viewer.");
        support.Options.Add(dataDir);
        support.SetAction(async (parse, ct) =>
        {
            if (OperatingSystem.IsWindows())
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("keyward demo support runs the Keyward agent, which runs on Linux and other Unix systems only.").ConfigureAwait(false);
                return 1;
            }

            var keep = parse.GetValue(dataDir);
            var directory = keep?.FullName ?? Directory.CreateTempSubdirectory("keyward-demo-support-").FullName;

            // Ctrl+C cancels the walk and its cleanup runs; should the process end first (the command line stops
            // waiting after its termination timeout), the temporary directory still goes.
            EventHandler removeAtExit = (_, _) => TryDelete(directory);
            if (keep is null)
            {
                AppDomain.CurrentDomain.ProcessExit += removeAtExit;
            }

            try
            {
                return await SupportDemo.RunAsync(directory, ct).ConfigureAwait(false);
            }
            finally
            {
                AppDomain.CurrentDomain.ProcessExit -= removeAtExit;
                if (keep is null)
                {
                    TryDelete(directory);
                }
            }
        });
        return support;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
