using System.Diagnostics;
using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>
/// The demo's closing report: each step with its time and outcome, and notes. Given the steps it plans, a planned step
/// that never reported (skipped, or not reached after a failure) fails the demo too, so a demo cannot pass by doing less.
/// </summary>
internal sealed class DemoReport(IReadOnlyList<string>? planned = null)
{
    private readonly List<(string Step, TimeSpan Time, string? Failure)> _steps = [];
    private readonly List<string> _notes = [];

    /// <summary>Planned steps that have not reported, in plan order.</summary>
    public IReadOnlyList<string> NotRun => [.. (planned ?? []).Where(p => !_steps.Any(s => s.Step == p))];

    /// <summary>Steps that reported success (of the plan, when there is one).</summary>
    public int Passed => _steps.Count(s => s.Failure is null && (planned is null || planned.Contains(s.Step)));

    public bool Failed => _steps.Any(s => s.Failure is not null) || NotRun.Count > 0;

    /// <summary>The demo's exit code: 0 only when every step passed and every planned step ran.</summary>
    public int ExitCode => Failed ? 1 : 0;

    public void Add(string step, TimeSpan time, string? failure) => _steps.Add((step, time, failure));

    public void Note(string note) => _notes.Add(note);

    /// <summary>
    /// Runs one step, prints it with its timing as it ends (<c>✓ name (N ms)</c> or <c>✗ name: why</c>) and records it;
    /// a failure is rethrown as an <see cref="InvalidOperationException"/> naming the step, so later steps do not run.
    /// </summary>
    public async Task StepAsync(IAnsiConsole console, string name, Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var message = e is OperationCanceledException ? "cancelled or timed out" : Refusal.Describe(e);
            Add(name, clock.Elapsed, message);
            console.MarkupLineInterpolated($"  [red]✗[/] {name}: {message}");
            throw new InvalidOperationException($"{name}: {message}", e);
        }

        Add(name, clock.Elapsed, null);
        console.MarkupLineInterpolated($"  [green]✓[/] {name} [grey]({clock.Elapsed.TotalMilliseconds:0} ms)[/]");
    }

    public void Print(IAnsiConsole console)
    {
        var table = new Table().AddColumn("step").AddColumn(new TableColumn("time").RightAligned()).AddColumn("result");
        foreach (var (step, time, failure) in _steps)
        {
            table.AddRow(
                Markup.Escape(step),
                time == TimeSpan.Zero ? string.Empty : $"{time.TotalMilliseconds:0} ms",
                failure is null ? "[green]ok[/]" : $"[red]FAILED[/] {Markup.Escape(failure)}");
        }

        foreach (var step in NotRun)
        {
            table.AddRow(Markup.Escape(step), string.Empty, "[red]NOT RUN[/]");
        }

        console.Write(table);
        foreach (var note in _notes)
        {
            console.MarkupLineInterpolated($"  {note}");
        }

        if (planned is not null)
        {
            console.MarkupLineInterpolated($"{Passed} of {planned.Count} planned steps passed; {NotRun.Count} not run.");
        }

        console.MarkupLine(Failed ? "[red bold]Demo failed.[/]" : "[green bold]Demo passed.[/]");
    }
}
