using Keyward.Core.Audit.Export;
using Keyward.Fuzz;
using Keyward.Fuzz.Harnesses;

namespace Keyward.Fuzz.Tests;

/// <summary>
/// Replays the saved fuzzing corpus (fuzz/corpus/&lt;harness&gt;: seeds cut from the vectors, and every crash, hang or
/// input AFL++ found) through each harness in-process. An input that escapes its parser with an exception other than
/// the parser's documented refusal is a crash under AFL++ and fails here.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "corpus");

    public static TheoryData<string> Harnesses => [.. FuzzHarnesses.Names];

    [Theory]
    [MemberData(nameof(Harnesses))]
    public void Corpus_EveryInput_IsHandledWithoutCrash(string harness)
    {
        var files = Files(harness);
        Assert.NotEmpty(files);

        var crashes = CorpusReplay.Run(FuzzHarnesses.Create(harness)!, files);

        Assert.True(crashes.Count == 0, $"{crashes.Count} of {files.Count} {harness} inputs crashed:\n{string.Join('\n', crashes)}");
    }

    [Fact]
    public void Corpus_EveryFolder_BelongsToAHarness_AndEveryHarnessHasSeeds()
    {
        var folders = Directory.EnumerateDirectories(Corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(FuzzHarnesses.Names.Order(StringComparer.Ordinal), folders);
    }

    [Fact]
    public void Replay_InputThatThrows_IsReportedAsCrash()
    {
        var files = Files("cbor").Take(2).ToList();

        var crashes = CorpusReplay.Run(_ => throw new InvalidOperationException("boom"), files);

        Assert.Equal(2, crashes.Count);
        Assert.All(crashes, c => Assert.Contains("System.InvalidOperationException: boom", c, StringComparison.Ordinal));
    }

    [Fact]
    public void Harness_UnknownName_IsNotCreated()
    {
        Assert.Null(FuzzHarnesses.Create("no-such-harness"));
    }

    // The seeds are only useful if they reach deep: the minted assertion passes the signature and claim checks and the
    // generated export verifies, so mutations start from inputs the parsers accept.
    [Fact]
    public void AssertionSeed_Valid_IsAccepted_AndWrongTypeIsRefused()
    {
        var harness = new AssertionHarness();

        Assert.True(harness.Accepts(File.ReadAllText(Path.Combine(Corpus, "assertion", "valid.jwt"))));
        Assert.False(harness.Accepts(File.ReadAllText(Path.Combine(Corpus, "assertion", "wrong-typ.jwt"))));
        Assert.False(harness.Accepts(File.ReadAllText(Path.Combine(Corpus, "assertion", "aud-array.jwt"))));
    }

    [Fact]
    public void AuditExportSeed_IsIntact()
    {
        var result = AuditExportHarness.Verify(File.ReadAllBytes(Path.Combine(Corpus, "audit-export", "export.jsonl")));

        Assert.Equal(AuditVerificationStatus.Intact, result.Status);
        Assert.Equal(12, result.Events);
        Assert.Equal(2, result.TreeHeads);
    }

    private static List<string> Files(string harness) =>
        [.. Directory.EnumerateFiles(Path.Combine(Corpus, harness)).Order(StringComparer.Ordinal)];
}
