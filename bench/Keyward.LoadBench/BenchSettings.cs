namespace Keyward.LoadBench;

/// <summary>How long and how hard to run. Every run is bounded; so is the whole bench (<see cref="Budget"/>).</summary>
internal sealed record BenchSettings
{
    /// <summary>A minted assertion lives 60 s and is minted when its run starts, so one run must end well before.</summary>
    public const int MaxSeconds = 40;

    /// <summary>The issue's target for requests/s through Keyward divided by requests/s through plain YARP.</summary>
    public const double RatioTarget = 0.9;

    /// <summary>The issue 15 targets for the trivial-upstream mode: Keyward / plain YARP in requests/s, and in front-end CPU per request.</summary>
    public const double TrivialRatioTarget = 0.95;

    public const double TrivialCpuTarget = 1.10;

    public BenchMode Mode { get; init; } = BenchMode.Counter;

    public int Rounds { get; init; } = 3;

    public int Seconds { get; init; } = 5;

    public int WarmUpSeconds { get; init; } = 3;

    public int Connections { get; init; } = 16;

    /// <summary>
    /// signin mode: keep Keyward's state on the disk (the temporary directory) instead of tmpfs, so every commit
    /// waits for its flush, as in production and as in the issue's measurement.
    /// </summary>
    public bool OnDisk { get; init; }

    /// <summary>signin mode: concurrent clients, each running one ceremony (or ticket) after another.</summary>
    public int Clients { get; init; } = 8;

    public GeneratorKind Generator { get; init; } = GeneratorKind.Auto;

    /// <summary>
    /// trivial mode (<c>--paths</c>): run only these front ends (the direct path always runs: it is the CPU baseline and
    /// the final count check); null runs every path. For profiling one front end at a time.
    /// </summary>
    public IReadOnlySet<string>? OnlyPaths { get; init; }

    /// <summary>
    /// trivial mode (<c>--keyward-metrics-off</c>): Keyward runs with <c>Keyward:Metrics:Listen=off</c>. Its listener
    /// enables ASP.NET Core's and Kestrel's per-request instruments, which plain YARP (no listener) leaves disabled; off
    /// compares the two without them, on (the default) compares Keyward as shipped.
    /// </summary>
    public bool KeywardMetricsOff { get; init; }
    /// signin mode: which operations run (<c>--operations Mint</c> to profile the mint alone); all three by default.
    /// </summary>
    public IReadOnlyList<SignIn.SignInOperation> Operations { get; init; } = Enum.GetValues<SignIn.SignInOperation>();

    /// <summary>A smoke run (<c>--quick</c>): every path works, but the JIT is still cold, so its numbers mean little.</summary>
    public bool Quick { get; init; }

    /// <summary>
    /// Warm-up passes (each runs every path for <see cref="WarmUpSeconds"/>) until the JIT goes quiet: tiered
    /// compilation keeps recompiling hot methods for a while, and on a busy box that takes more than one pass.
    /// </summary>
    public int MaxWarmUpPasses { get; init; } = 6;

    /// <summary>
    /// The most the whole bench may take before it cancels itself: start-up, then per target the warm-up and every
    /// round, each run allowed 15 s beyond its length for requests in flight and settling.
    /// </summary>
    public TimeSpan Budget => TimeSpan.FromSeconds(120 + (Paths * ((MaxWarmUpPasses * WarmUpSeconds) + (Rounds * Seconds))) + (Paths * (MaxWarmUpPasses + Rounds) * 15));

    /// <summary>Paths per round (at most: the trivial mode drops nginx's two when nginx is missing); sign-in runs three operations; the vault mode runs direct, proxy and vault.</summary>
    private int Paths => Mode == BenchMode.Trivial ? 5 : Mode == BenchMode.SignIn ? Operations.Count : 3;

    public IEnumerable<string> Validate()
    {
        if (Rounds is < 1 or > 20)
        {
            yield return "--rounds must be between 1 and 20.";
        }

        if (Seconds is < 1 or > MaxSeconds)
        {
            yield return $"--seconds must be between 1 and {MaxSeconds} (a minted assertion lives 60 s).";
        }

        if (WarmUpSeconds is < 0 or > MaxSeconds)
        {
            yield return $"--warmup must be between 0 and {MaxSeconds}.";
        }

        if (MaxWarmUpPasses is < 1 or > 10)
        {
            yield return "--warmup-passes must be between 1 and 10.";
        }

        if (Clients is < 1 or > 256)
        {
            yield return "--clients must be between 1 and 256.";
        }

        if (Connections is < 1 or > 256)
        {
            yield return "--connections must be between 1 and 256.";
        }

        if (KeywardMetricsOff && Mode != BenchMode.Trivial)
        {
            yield return "--keyward-metrics-off is for --mode trivial only.";
        }

        if (OnlyPaths is { } only)
        {
            if (Mode != BenchMode.Trivial)
            {
                yield return "--paths is for --mode trivial only.";
            }

            foreach (var name in only.Where(n => !Trivial.TrivialBed.Names.Contains(n)))
            {
                yield return $"--paths: unknown path '{name}'; the paths are {string.Join(", ", Trivial.TrivialBed.Names)}.";
            }
        }
    }
}
