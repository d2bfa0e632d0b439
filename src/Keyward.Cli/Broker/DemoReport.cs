using Spectre.Console;

namespace Keyward.Cli.Broker;

/// <summary>The demo's closing report: each step with its time and outcome, and notes.</summary>
internal sealed class DemoReport
{
    private readonly List<(string Step, TimeSpan Time, string? Failure)> _steps = [];
    private readonly List<string> _notes = [];

    public bool Failed => _steps.Any(s => s.Failure is not null);

    public void Add(string step, TimeSpan time, string? failure) => _steps.Add((step, time, failure));

    public void Note(string note) => _notes.Add(note);

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

        console.Write(table);
        foreach (var note in _notes)
        {
            console.MarkupLineInterpolated($"  {note}");
        }

        console.MarkupLine(Failed ? "[red bold]Demo failed.[/]" : "[green bold]Demo passed.[/]");
    }
}
