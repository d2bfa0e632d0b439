namespace Keyward.LoadBench.Reporting;

/// <summary>Everything one bench run found, for <see cref="MarkdownReport"/>.</summary>
internal sealed record BenchReport(
    BenchSettings Settings,
    string Generator,
    bool ExternalGenerator,
    string Location,
    int WarmUpPasses,
    IReadOnlyList<TargetSummary> Targets,
    IReadOnlyList<RunSample> Samples,
    PairedRatio KeywardOverYarp,
    PairedRatio YarpOverDirect,
    ProxyCost ProxyCost,
    long Succeeded,
    long Failed,
    string? FirstError,
    CounterCheck Counter,
    TimeSpan Wall)
{
    /// <summary>True when a request failed or the counter disagrees with the count: the numbers cannot be trusted.</summary>
    public bool Broken => Failed > 0 || !Counter.Passed;
}
