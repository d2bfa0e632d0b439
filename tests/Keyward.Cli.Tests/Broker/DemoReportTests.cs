using Keyward.Cli.Broker;
using Spectre.Console;

namespace Keyward.Cli.Tests.Broker;

/// <summary>
/// The demos' verdict (<see cref="DemoReport"/>): with a plan, a step that failed or never ran fails the demo (exit 1);
/// only every planned step passing passes it. <c>keyward demo support</c> returns <see cref="DemoReport.ExitCode"/>.
/// </summary>
public sealed class DemoReportTests
{
    private static readonly string[] Plan = ["one", "two", "three"];

    [Fact]
    public async Task ExitCode_EveryPlannedStepPassed_IsZero()
    {
        var report = new DemoReport(Plan);
        foreach (var step in Plan)
        {
            await report.StepAsync(Console(out _), step, () => Task.CompletedTask);
        }

        Assert.False(report.Failed);
        Assert.Equal(0, report.ExitCode);
        Assert.Empty(report.NotRun);
    }

    [Fact]
    public async Task ExitCode_APlannedStepSkipped_IsOne_AndTheStepIsPrintedAsNotRun()
    {
        // No step failed: "two" was simply never run. That alone must fail the demo.
        var report = new DemoReport(Plan);
        await report.StepAsync(Console(out _), "one", () => Task.CompletedTask);
        await report.StepAsync(Console(out _), "three", () => Task.CompletedTask);

        Assert.True(report.Failed);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal(["two"], report.NotRun);
        var console = Console(out var output);
        report.Print(console);
        Assert.Contains("NOT RUN", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("2 of 3 planned steps passed; 1 not run.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Demo failed.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepAsync_StepThrows_IsRecordedAsFailed_StopsTheWalk_AndTheRestCountAsNotRun()
    {
        var report = new DemoReport(Plan);
        var console = Console(out var output);
        await report.StepAsync(console, "one", () => Task.CompletedTask);

        var stopped = await Assert.ThrowsAsync<InvalidOperationException>(() => report.StepAsync(console, "two", () => throw new TimeoutException("no answer")));

        Assert.Contains("two: no answer", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal(1, report.Passed);
        Assert.Equal(["three"], report.NotRun);
        Assert.Contains("✗ two: no answer", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCode_AllPlannedPassedButAnUnplannedStepFailed_IsOne()
    {
        var report = new DemoReport(Plan);
        foreach (var step in Plan)
        {
            await report.StepAsync(Console(out _), step, () => Task.CompletedTask);
        }

        report.Add("extra check", TimeSpan.Zero, "wrong value");

        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public void Plan_OfTheSupportDemo_NamesEachStepOnce()
    {
        // A repeated name would let one step's pass count for two.
        Assert.Equal(SupportDemo.Plan.Count, SupportDemo.Plan.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(25, SupportDemo.Plan.Count);
    }

    private static IAnsiConsole Console(out StringWriter output)
    {
        output = new StringWriter();
        return AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
    }
}
