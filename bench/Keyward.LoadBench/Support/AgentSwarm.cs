namespace Keyward.LoadBench.Support;

internal static class AgentSwarm
{
    public static Task<int> RunAsync(string? url, string? ca, string? keys, CancellationToken cancellationToken) => Task.FromResult(2);
}
