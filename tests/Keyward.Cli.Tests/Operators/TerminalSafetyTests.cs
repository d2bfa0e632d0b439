using System.Text.Json;
using Keyward.Cli.Operators;

namespace Keyward.Cli.Tests.Operators;

/// <summary>
/// Values that another party chose (a support reason, an agent's hostname, an audit detail) reach admins' terminals
/// through the table and tail writers; a control or bidi-format character in one is shown escaped, never acted on.
/// </summary>
public sealed class TerminalSafetyTests
{
    private const string Hostile = "web01\u001b[2J\u001b[1;1Hall clear\r\u202Eexe.fdp\u0007";

    [Fact]
    public void TableRow_ControlAndBidiCharacters_AreWrittenEscaped()
    {
        using var output = new StringWriter();
        var table = Tables.Create("Machine", "Reason");
        Tables.Row(table, "m1", Hostile);

        OperatorCall.Console(output).Write(table);

        var shown = output.ToString();
        Assert.DoesNotContain('\u001b', shown);
        Assert.DoesNotContain('\u202E', shown);
        Assert.DoesNotContain('\u0007', shown);
        Assert.DoesNotContain('\r', shown);
        Assert.Contains("\\u001b[2J", shown, StringComparison.Ordinal);
        Assert.Contains("\\u202e", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditTail_ControlAndBidiCharactersInAnyField_AreWrittenEscaped()
    {
        using var output = new StringWriter();
        var e = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["sequence"] = 7,
            ["recorded_at"] = "2026-12-07T08:00:00Z",
            ["outcome"] = "success",
            ["action"] = "agent.connected",
            ["actor"] = "machine:x\u2066",
            ["target"] = "t\u0008",
            ["details"] = new Dictionary<string, string> { ["version"] = Hostile },
        });

        AuditTailCommand.Print(e, json: false, output, OperatorCall.Console(output));

        var shown = output.ToString();
        Assert.DoesNotContain(shown, c => c is '\u001b' or '\u202E' or '\u2066' or '\u0008' or '\u0007' or '\r');
        Assert.Contains("version=web01\\u001b[2J", shown, StringComparison.Ordinal);
        Assert.Contains("machine:x\\u2066", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Safe_PlainText_IsUnchanged()
    {
        Assert.Equal("printer jam — café 42", Tables.Safe("printer jam — café 42"));
    }
}
