using System.Globalization;
using System.Text.Json;
using Keyward.Core.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Keyward.Cli.Operators;

/// <summary>Tables for people from Keyward's JSON answers: every cell is plain text (never Spectre markup).</summary>
internal static class Tables
{
    /// <summary>A table with these column headers.</summary>
    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        return table;
    }

    /// <summary>Adds a row of plain-text cells ("-" for none).</summary>
    public static void Row(Table table, params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(table);
        IRenderable[] row = [.. cells.Select(c => new Text(string.IsNullOrEmpty(c) ? "-" : Safe(c)))];
        table.AddRow(row);
    }

    /// <summary>
    /// A cell or line as a terminal should get it: control and bidi-format characters written as <c>\uXXXX</c>, so a
    /// value that another party chose (a reason, a hostname, an audit detail) cannot move the cursor, clear the screen
    /// or reorder what the admin reads. Every table and tail writer passes its text through here.
    /// </summary>
    public static string Safe(string text) => UnsafeText.Escape(text);

    /// <summary>A property as text: strings as they are, booleans yes/no, numbers invariant, null or missing as null.</summary>
    public static string? Value(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        } : null;

    /// <summary>A timestamp property, shortened to the second in UTC for a table.</summary>
    public static string? When(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : null;
}
