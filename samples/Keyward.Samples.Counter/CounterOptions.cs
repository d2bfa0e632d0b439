namespace Keyward.Samples.Counter;

/// <summary>The counter's settings, section <c>Counter</c>; the command line has short forms (<see cref="SwitchMappings"/>).</summary>
internal sealed class CounterOptions
{
    public const string Section = "Counter";

    /// <summary><c>--data-dir</c>, <c>--authority</c>, <c>--audience</c>, <c>--ca-file</c>.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Counter:DataDirectory",
        ["--authority"] = "Counter:Authority",
        ["--audience"] = "Counter:Audience",
        ["--ca-file"] = "Counter:CaFile",
    };

    /// <summary>Where <c>counter.db</c> lives. Default <c>./counter-data</c>.</summary>
    public string DataDirectory { get; set; } = "counter-data";

    /// <summary>Keyward's issuer URL, for example <c>https://127.0.0.1:8443</c>. Required.</summary>
    public string? Authority { get; set; }

    /// <summary>This service's route id in Keyward. Default <c>counter</c>.</summary>
    public string Audience { get; set; } = "counter";

    /// <summary>PEM file of Keyward's local CA, the only root trusted when fetching the JWKS. Optional.</summary>
    public string? CaFile { get; set; }

    /// <summary>Allows an http authority; refused outside the Development environment.</summary>
    public bool DangerousAllowHttpAuthority { get; set; }

    /// <summary>How long a write waits for another writer (another thread or process) before failing. Default 30 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Authority))
        {
            yield return "Counter:Authority is required: set it to Keyward's issuer URL, for example --authority https://127.0.0.1:8443.";
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            yield return "Counter:Audience must not be empty: set it to this service's route id in Keyward (default \"counter\").";
        }

        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            yield return "Counter:DataDirectory must not be empty: set it with --data-dir (default ./counter-data).";
        }

        if (CaFile is not null && !File.Exists(CaFile))
        {
            yield return $"Counter:CaFile '{CaFile}' does not exist: point it at Keyward's CA certificate (PEM), or remove it to use the system's roots.";
        }

        if (BusyTimeout <= TimeSpan.Zero)
        {
            yield return "Counter:BusyTimeout must be positive (default 00:00:30).";
        }
    }
}
