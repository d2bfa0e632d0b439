using Keyward.Cli.Broker;
using Spectre.Console;

namespace Keyward.Cli.Tests.Broker;

/// <summary>
/// <c>keyward demo cluster</c>'s plan and verdict (<see cref="ClusterDemo.Plan"/> with <see cref="DemoReport"/>): every
/// check issue 13 names is a planned step of its own, so a check that is skipped or never reached fails the demo
/// (exit 1) even when every check that did run passed.
/// </summary>
public sealed class ClusterDemoPlanTests
{
    [Fact]
    public void Plan_NamesEachCheckOnce_AndEveryCheckTheIssueNames()
    {
        // A repeated name would let one check's pass count for two.
        Assert.Equal(ClusterDemo.Plan.Count, ClusterDemo.Plan.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(14, ClusterDemo.Plan.Count);
        foreach (var check in new[]
        {
            ClusterDemo.SignIn, ClusterDemo.BothNodes, ClusterDemo.LogoutRefused, ClusterDemo.Latency, ClusterDemo.TicketRace,
            ClusterDemo.KillKeepsServing, ClusterDemo.Restarted, ClusterDemo.WritesKept, ClusterDemo.AuditVerifies,
        })
        {
            Assert.Contains(check, ClusterDemo.Plan);
        }
    }

    [Fact]
    public void Plan_EachCheckFitsOneLineWithoutATerminal()
    {
        // "  ✓ name (12345 ms)" within the 80 columns Spectre.Console gives redirected output, so a log reads one check a line.
        Assert.All(ClusterDemo.Plan, check => Assert.True(check.Length <= 65, $"{check} is {check.Length} characters"));
    }

    [Theory]
    [InlineData(ClusterDemo.LogoutRefused)]
    [InlineData(ClusterDemo.Latency)]
    [InlineData(ClusterDemo.TicketRace)]
    [InlineData(ClusterDemo.KillKeepsServing)]
    [InlineData(ClusterDemo.WritesKept)]
    [InlineData(ClusterDemo.AuditVerifies)]
    public async Task ExitCode_OneCheckNeverRan_EveryOtherPassed_IsOne_AndItIsReportedNotRun(string skipped)
    {
        var report = new DemoReport(ClusterDemo.Plan);
        var console = Console(out var output);
        foreach (var check in ClusterDemo.Plan.Where(s => s != skipped))
        {
            await report.StepAsync(console, check, () => Task.CompletedTask);
        }

        report.Print(console);

        Assert.True(report.Failed);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal([skipped], report.NotRun);
        Assert.Contains("NOT RUN", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{ClusterDemo.Plan.Count - 1} of {ClusterDemo.Plan.Count} planned steps passed; 1 not run.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Demo failed.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCode_OneCheckFailed_IsOne_AndTheChecksAfterItAreNotRun()
    {
        var report = new DemoReport(ClusterDemo.Plan);
        var console = Console(out _);
        foreach (var check in ClusterDemo.Plan.TakeWhile(s => s != ClusterDemo.LogoutRefused))
        {
            await report.StepAsync(console, check, () => Task.CompletedTask);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => report.StepAsync(console, ClusterDemo.LogoutRefused, () => throw new TimeoutException("node B still accepted the token")));

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(ClusterDemo.Plan.SkipWhile(s => s != ClusterDemo.LogoutRefused).Skip(1), report.NotRun);
    }

    [Fact]
    public async Task ExitCode_EveryPlannedCheckPassed_IsZero()
    {
        var report = new DemoReport(ClusterDemo.Plan);
        foreach (var check in ClusterDemo.Plan)
        {
            await report.StepAsync(Console(out _), check, () => Task.CompletedTask);
        }

        Assert.Equal(0, report.ExitCode);
    }

    private static IAnsiConsole Console(out StringWriter output)
    {
        output = new StringWriter();
        return AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
    }
}
