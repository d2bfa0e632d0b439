namespace Keyward.Core.Vault;

/// <summary>
/// How far a rekey has come: data keys re-wrapped, found already re-wrapped by another run, that failed to unwrap
/// (tampered rows, reported and skipped), how many needed re-wrapping when the run started, and the cursor (the last
/// row id looked at) to resume after.
/// </summary>
/// <param name="Rewrapped">Re-wrapped by this run.</param>
/// <param name="Skipped">Already moved by another run.</param>
/// <param name="Failed">Did not authenticate; left as they were.</param>
/// <param name="Total">Wrapped under an older epoch when the run started.</param>
/// <param name="Cursor">The last row id looked at; resume after it.</param>
/// <param name="Epoch">The epoch data keys are re-wrapped under.</param>
public sealed record VaultRekeyProgress(long Rewrapped, long Skipped, long Failed, long Total, long Cursor, int Epoch)
{
    /// <summary>True when every row was looked at.</summary>
    public bool Done { get; init; }
}
