namespace Keyward.LoadBench.Support;

/// <summary>The remote-support modes' settings (issue 11, "Speed"); each mode reads the ones it needs.</summary>
internal sealed record SupportBenchSettings
{
    public required string Mode { get; init; }

    /// <summary>Measured rounds (relay: each path once per round; support-code and revoke: one measurement each).</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>relay: bytes of one download, in MiB.</summary>
    public int Megabytes { get; init; } = 64;

    /// <summary>agents: idle agents to connect.</summary>
    public int Agents { get; init; } = 1_000;

    /// <summary>agents: length of each idle CPU window.</summary>
    public int IdleSeconds { get; init; } = 20;

    /// <summary>support-code: binders racing for one code in each round.</summary>
    public int Binders { get; init; } = 100;

    public bool Quick { get; init; }

    /// <summary>The most the mode may take before it cancels itself.</summary>
    public TimeSpan Budget => Mode switch
    {
        SupportModes.Relay => TimeSpan.FromSeconds(120 + ((Rounds + 1) * 3 * (30 + (Megabytes / 4)))),
        SupportModes.Agents => TimeSpan.FromSeconds(180 + (Agents / 20) + (4 * IdleSeconds)),
        _ => TimeSpan.FromSeconds(120 + (Rounds * 30)),
    };

    public IEnumerable<string> Validate()
    {
        if (Rounds is < 1 or > 200)
        {
            yield return "--rounds must be between 1 and 200.";
        }

        if (Megabytes is < 1 or > 4096)
        {
            yield return "--megabytes must be between 1 and 4096.";
        }

        if (Agents is < 1 or > 50_000)
        {
            yield return "--agents must be between 1 and 50000.";
        }

        if (IdleSeconds is < 1 or > 300)
        {
            yield return "--idle-seconds must be between 1 and 300.";
        }

        if (Binders is < 2 or > 1_000)
        {
            yield return "--binders must be between 2 and 1000.";
        }
    }
}
