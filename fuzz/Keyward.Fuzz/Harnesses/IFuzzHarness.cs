namespace Keyward.Fuzz.Harnesses;

/// <summary>
/// One fuzz target: feeds untrusted bytes to one parser. An input the parser refuses in its documented way (a failure
/// value, or the exception type its caller catches as a refusal) returns normally; anything else escapes as an
/// exception, which AFL++ records as a crash and the corpus replay reports as a failed test.
/// </summary>
internal interface IFuzzHarness
{
    /// <summary>The name used on the command line and as the corpus folder (fuzz/corpus/&lt;name&gt;).</summary>
    string Name { get; }

    /// <summary>The instrumented assemblies (file names in the output folder) whose code this harness exercises.</summary>
    IReadOnlyList<string> Targets { get; }

    /// <summary>Runs the parser over one input.</summary>
    void Run(ReadOnlySpan<byte> input);
}
