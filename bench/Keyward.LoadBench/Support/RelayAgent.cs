using System.Diagnostics;
using Keyward.Agent.Runtime;

namespace Keyward.LoadBench.Support;

/// <summary>
/// The relay mode's agent, in its own process as on a real machine, so its CPU is counted apart from Keyward's: the
/// agent library's <see cref="AgentRuntime"/> on an enrolled state directory, one allowed port, consent answered yes.
/// The child (<c>--mode relay-agent</c>, the same binary) stops when its stdin closes.
/// </summary>
internal sealed class RelayAgent : IDisposable
{
    private readonly Process _process;

    private RelayAgent(Process process) => _process = process;

    /// <summary>CPU the agent's process has used so far.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static RelayAgent Start(string stateDirectory, int allowedPort)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(RelayAgent).Assembly.Location);
        }

        foreach (var a in new[] { "--mode", SupportModes.RelayAgent, "--agent-state", stateDirectory, "--agent-port", allowedPort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        return new RelayAgent(Process.Start(start) ?? throw new InvalidOperationException("the agent process did not start"));
    }

    /// <summary>The child's side: runs the agent until stdin closes.</summary>
    public static async Task<int> RunAsync(string? stateDirectory, int port, CancellationToken cancellationToken)
    {
        if (stateDirectory is null || port <= 0)
        {
            await Console.Error.WriteLineAsync("--mode relay-agent needs --agent-state and --agent-port (it is started by --mode relay).");
            return 2;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync(CancellationToken.None);
            await stop.CancelAsync();
        }, CancellationToken.None);
        var reason = await new AgentRuntime(new AgentRuntimeOptions
        {
            StateDirectory = stateDirectory,
            AllowedPorts = new HashSet<int> { port },
            Consent = static (_, _) => Task.FromResult(true),
        }).RunAsync(stop.Token);
        return reason == AgentStopReason.Stopped ? 0 : 1;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
