namespace Keyward.LoadBench.Load;

/// <summary>A closed-loop load generator: C connections, each sending its next request when the last one answered.</summary>
internal interface ILoadGenerator : IDisposable
{
    /// <summary>One line for the report.</summary>
    string Description { get; }

    /// <summary>
    /// True when every request the counter received was counted in a result (the built-in generator waits for its
    /// requests in flight; wrk abandons them at the deadline, and the counter may still increment for them).
    /// </summary>
    bool CountsEveryRequest { get; }

    Task<RunResult> RunAsync(Target target, RequestCredential credential, TimeSpan duration, int connections, CancellationToken cancellationToken);
}
