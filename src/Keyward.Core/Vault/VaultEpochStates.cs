namespace Keyward.Core.Vault;

/// <summary>The states of a key epoch. Only forward: current → readable → retired.</summary>
public static class VaultEpochStates
{
    /// <summary>New data keys are wrapped under it. Exactly one epoch is current.</summary>
    public const string Current = "current";

    /// <summary>Older: its KEK still unwraps the data keys wrapped under it.</summary>
    public const string Readable = "readable";

    /// <summary>No data key is wrapped under it; its KEK may be removed from the configuration.</summary>
    public const string Retired = "retired";
}
