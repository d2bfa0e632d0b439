namespace Keyward.Core.Vault;

/// <summary>Vault settings (<c>Keyward:Vault</c>; docs/vault.md).</summary>
public sealed record VaultOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Keyward:Vault";

    /// <summary>The hard ceiling on <see cref="MaxValueBytes"/>: 1 MiB.</summary>
    public const int MaxValueBytesCeiling = 1024 * 1024;

    /// <summary>The largest secret value, in bytes. Default 64 KiB.</summary>
    public int MaxValueBytes { get; init; } = 64 * 1024;

    /// <summary>How many vault requests one actor may make per minute (per node), counted once its capability is verified. Default 6000; 1 to 1000000.</summary>
    public int RequestsPerActorPerMinute { get; init; } = 6000;

    /// <summary>
    /// How many versions of one path (of one owner and class) are kept: a write that makes version N deletes versions
    /// N - this and older, in its own transaction, so no actor can grow the table without bound. Default 100; 1 to 10000.
    /// </summary>
    public int MaxVersionsPerPath { get; init; } = 100;

    /// <summary>How many data keys one rekey batch re-wraps (one transaction each). Default 100.</summary>
    public int RekeyBatchSize { get; init; } = 100;

    /// <summary>The key-encryption key of each epoch, by epoch number (from 1). Older epochs stay while data is wrapped under them.</summary>
    public Dictionary<int, KeyEncryptionKeySource> Keys { get; init; } = [];

    /// <summary>Returns every problem, each naming the setting and how to fix it.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxValueBytes is < 1 or > MaxValueBytesCeiling)
        {
            errors.Add($"{Section}:MaxValueBytes must be between 1 and {MaxValueBytesCeiling} (e.g. 65536).");
        }

        if (RequestsPerActorPerMinute is < 1 or > 1_000_000)
        {
            errors.Add($"{Section}:RequestsPerActorPerMinute must be between 1 and 1000000 (e.g. 6000): it bounds how fast one actor uses the vault.");
        }

        if (MaxVersionsPerPath is < 1 or > 10_000)
        {
            errors.Add($"{Section}:MaxVersionsPerPath must be between 1 and 10000 (e.g. 100): older versions of a path are deleted by each write.");
        }

        if (RekeyBatchSize is < 1 or > 10_000)
        {
            errors.Add($"{Section}:RekeyBatchSize must be between 1 and 10000 (e.g. 100).");
        }

        foreach (var (epoch, source) in Keys.OrderBy(k => k.Key))
        {
            var setting = $"{Section}:Keys:{epoch}";
            if (epoch < 1)
            {
                errors.Add($"{setting}: epochs are numbered from 1; rename the section to a positive epoch number.");
                continue;
            }

            var hasFile = !string.IsNullOrWhiteSpace(source?.File);
            var hasVariable = !string.IsNullOrWhiteSpace(source?.Environment);
            if (hasFile == hasVariable)
            {
                errors.Add($"{setting} must set exactly one of File (a key file of mode 0600) or Environment (the name of an environment variable), each holding 32 random bytes in base64.");
            }
            else if (hasFile && !Path.IsPathFullyQualified(source!.File!))
            {
                errors.Add($"{setting}:File must be an absolute path (it is '{source.File}').");
            }
        }

        return errors;
    }
}
