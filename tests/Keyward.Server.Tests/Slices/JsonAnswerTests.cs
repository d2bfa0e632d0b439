using System.Text.RegularExpressions;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Every JSON answer is written through a context's <c>Relaxed</c> instance (KeywardJson: '+' and non-ASCII
/// unescaped), so a new endpoint cannot bring back <c>\u002B</c> by reaching for <c>Default</c>. Only the ceremony
/// journal, which stores JSON in the database and answers nobody, uses <c>Default</c>.
/// </summary>
public sealed partial class JsonAnswerTests
{
    [Fact]
    public void Answers_UseTheRelaxedContexts_NotDefault()
    {
        var offenders = Directory.EnumerateFiles(SourceTree.Server, "*.cs", SearchOption.AllDirectories)
            .Where(f => !SourceTree.IsGenerated(f) && Path.GetFileName(f) != "CeremonyJournal.cs")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(SourceTree.Server, f), Line: i + 1, Text: line)))
            .Where(l => DefaultContext().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "JSON answers written with a context's Default (\\u002B-escaping) instead of Relaxed:\n" + string.Join('\n', offenders));
    }

    [GeneratedRegex(@"\w+JsonContext\.Default\.")]
    private static partial Regex DefaultContext();
}
