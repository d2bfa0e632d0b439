namespace Keyward.LoadBench.Support;

internal static class RevocationBench
{
    public static Task<int> RunAsync(SupportBenchSettings settings, TextWriter log, CancellationToken cancellationToken) => Task.FromResult(2);
}
