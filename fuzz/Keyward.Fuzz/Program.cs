using SharpFuzz;

namespace Keyward.Fuzz;

/// <summary>
/// Entry point. <c>Keyward.Fuzz &lt;harness&gt;</c> runs one harness under afl-fuzz (SharpFuzz persistent mode);
/// <c>replay &lt;harness&gt; &lt;file&gt;…</c> runs files once (to reproduce a crash); <c>targets &lt;harness&gt;</c> lists the
/// assemblies to instrument; <c>seeds &lt;vectors-dir&gt; &lt;corpus-dir&gt;</c> writes the seed corpus; <c>list</c> names the harnesses.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["list"]:
                Console.WriteLine(string.Join('\n', FuzzHarnesses.Names));
                return 0;
            case ["targets", var name] when FuzzHarnesses.TargetsOf(name) is { } targets:
                Console.WriteLine(string.Join('\n', targets));
                return 0;
            case ["seeds", var vectors, var corpus]:
                var count = await VectorSeeds.WriteAsync(vectors, corpus).ConfigureAwait(false);
                await CorpusSeeds.WriteAsync(corpus).ConfigureAwait(false);
                Console.WriteLine($"{count} seeds from {vectors}, plus the generated assertion and audit-export seeds");
                return 0;
            case ["replay", var name, .. var files] when FuzzHarnesses.Create(name) is { } replay:
                var crashes = CorpusReplay.Run(replay, files);
                foreach (var crash in crashes)
                {
                    await Console.Error.WriteLineAsync(crash).ConfigureAwait(false);
                }

                Console.WriteLine($"{files.Length} inputs, {crashes.Count} crashed");
                return crashes.Count == 0 ? 0 : 1;
            case [var name] when FuzzHarnesses.Names.Contains(name):
                // The harness is built on the first input, inside Fuzzer.Run: instrumented code (the assertion
                // harness's validator, for one) must not run before SharpFuzz has mapped AFL's coverage memory.
                Action<byte[]>? run = null;
                Fuzzer.Run(stream =>
                {
                    run ??= FuzzHarnesses.Create(name)!;
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    run(buffer.ToArray());
                });
                return 0;
            default:
                await Console.Error.WriteLineAsync($"usage: Keyward.Fuzz <harness> | replay <harness> <file>... | targets <harness> | seeds <vectors-dir> <corpus-dir> | list\nharnesses: {string.Join(", ", FuzzHarnesses.Names)}").ConfigureAwait(false);
                return 2;
        }
    }
}
