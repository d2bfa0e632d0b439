using Keyward.Agent.Runtime;
using Keyward.Cli.Agent;

namespace Keyward.Agent.Tests.Cli;

public sealed class TerminalConsentTests
{
    private static ConsentRequest Question(string technician = "alice", string reason = "printer") =>
        new() { Request = "r1", Session = "s1", Technician = technician, Reason = reason, Timeout = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData("y", true)]
    [InlineData("YES", true)]
    [InlineData("n", false)]
    [InlineData("", false)]
    [InlineData("sure", false)]
    public async Task AskAsync_Answer_OnlyYesAllows(string line, bool expected)
    {
        var screen = new StringWriter();
        using var consent = new TerminalConsent(new StringReader(line + "\n"), screen, interactive: false);

        var allowed = await consent.AskAsync(Question(), CancellationToken.None);

        Assert.Equal(expected, allowed);
        Assert.Contains("alice asks to connect: printer. Allow? [y/N]", screen.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskAsync_NoAnswerBeforeTheTimeout_Denies()
    {
        using var input = new BlockingReader();
        using var consent = new TerminalConsent(input, new StringWriter(), interactive: true);
        using var timeout = new CancellationTokenSource();

        var asked = consent.AskAsync(Question(), timeout.Token);
        await timeout.CancelAsync();

        Assert.False(await asked);
    }

    [Fact]
    public async Task AskAsync_PipedInput_AnswersQuestionsInOrder_ThenDeniesAtEndOfInput()
    {
        using var consent = new TerminalConsent(new StringReader("y\nn\n"), new StringWriter(), interactive: false);

        Assert.True(await consent.AskAsync(Question(), CancellationToken.None));
        Assert.False(await consent.AskAsync(Question(), CancellationToken.None));
        Assert.False(await consent.AskAsync(Question(), CancellationToken.None));
    }

    [Fact]
    public async Task AskAsync_ControlSequencesFromTheNetwork_AreNotPrinted()
    {
        var screen = new StringWriter();
        using var consent = new TerminalConsent(new StringReader("n\n"), screen, interactive: false);

        await consent.AskAsync(Question("mallory\u001b[2J", "fix\rAllowed."), CancellationToken.None);

        Assert.DoesNotContain('\u001b', screen.ToString());
        Assert.DoesNotContain('\r', screen.ToString());
    }

    /// <summary>Standard input where nobody types (the consent reader is a background thread, so it may wait forever).</summary>
    private sealed class BlockingReader : TextReader
    {
        public override string? ReadLine()
        {
            Thread.Sleep(Timeout.Infinite);
            return null;
        }
    }
}
