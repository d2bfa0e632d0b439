using Keyward.Cli.Broker;
using Spectre.Console;

namespace Keyward.Cli.Tests.Broker;

/// <summary>
/// <c>keyward demo vault</c>'s plan and verdict (<see cref="VaultDemo.Plan"/> with <see cref="DemoReport"/>): every
/// refusal the issue names is a planned step of its own, so a refusal that is skipped or never reached fails the demo
/// (exit 1) even when every step that did run passed.
/// </summary>
public sealed class VaultDemoPlanTests
{
    [Fact]
    public void Plan_NamesEachStepOnce_AndEveryRefusalTheIssueNames()
    {
        // A repeated name would let one step's pass count for two.
        Assert.Equal(VaultDemo.Plan.Count, VaultDemo.Plan.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(24, VaultDemo.Plan.Count);
        foreach (var code in new[]
        {
            "cap_data_class_mismatch", "cap_actor_mismatch", "cap_operation_mismatch", "cap_scope_missing", "cap_path_mismatch",
            "approval_replayed", "approval_other_operation", "approval_threshold_above_approvers", "approval_would_strand", "approval_required",
        })
        {
            Assert.Single(VaultDemo.Plan, step => step.Contains(code, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Plan_EachStepFitsOneLineWithoutATerminal()
    {
        // "  ✓ name (12345 ms)" within the 80 columns Spectre.Console gives redirected output, so a log reads one step a line.
        Assert.All(VaultDemo.Plan, step => Assert.True(step.Length <= 65, $"{step} is {step.Length} characters"));
    }

    [Theory]
    [InlineData(VaultDemo.ActorMismatch)]
    [InlineData(VaultDemo.ReplayedVote)]
    [InlineData(VaultDemo.RemoveStrands)]
    [InlineData(VaultDemo.RefusalsAudited)]
    public async Task ExitCode_OneRefusalStepNeverRan_EveryOtherPassed_IsOne_AndItIsReportedNotRun(string skipped)
    {
        var report = new DemoReport(VaultDemo.Plan);
        var console = Console(out var output);
        foreach (var step in VaultDemo.Plan.Where(s => s != skipped))
        {
            await report.StepAsync(console, step, () => Task.CompletedTask);
        }

        report.Print(console);

        Assert.True(report.Failed);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal([skipped], report.NotRun);
        Assert.Contains("NOT RUN", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{VaultDemo.Plan.Count - 1} of {VaultDemo.Plan.Count} planned steps passed; 1 not run.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Demo failed.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCode_EveryPlannedStepPassed_IsZero()
    {
        var report = new DemoReport(VaultDemo.Plan);
        foreach (var step in VaultDemo.Plan)
        {
            await report.StepAsync(Console(out _), step, () => Task.CompletedTask);
        }

        Assert.Equal(0, report.ExitCode);
    }

    private static IAnsiConsole Console(out StringWriter output)
    {
        output = new StringWriter();
        return AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
    }
}
