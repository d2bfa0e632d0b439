using System.Diagnostics;

namespace Keyward.LoadBench.Support;

/// <summary>Runs one remote-support mode within its budget: 0 when it measured and every check held, 1 otherwise.</summary>
internal static class SupportBenchRunner
{
    public static async Task<int> RunAsync(SupportBenchSettings settings, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(settings.Budget);
        var wall = Stopwatch.StartNew();
        try
        {
            var exit = settings.Mode switch
            {
                SupportModes.Relay => await RelayBench.RunAsync(settings, log, budget.Token),
                SupportModes.Agents => await IdleAgentsBench.RunAsync(settings, log, budget.Token),
                SupportModes.SupportCode => await SupportCodeBench.RunAsync(settings, log, budget.Token),
                SupportModes.Revoke => await RevocationBench.RunAsync(settings, log, budget.Token),
                _ => 2,
            };
            log.WriteLine($"{settings.Mode}: {(exit == 0 ? "done" : "FAILED")} in {wall.Elapsed.TotalSeconds:0} s");
            return exit;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            log.WriteLine($"The bench ran past its budget of {settings.Budget.TotalSeconds:0} s and stopped itself.");
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or IOException or System.Net.Sockets.SocketException or System.Net.WebSockets.WebSocketException)
        {
            log.WriteLine($"The bench failed: {e.Message}");
            return 1;
        }
    }
}
