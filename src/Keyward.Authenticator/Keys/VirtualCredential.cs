namespace Keyward.Authenticator;

/// <summary>One credential held by a virtual key: its scope, its user, its key and its counter. Guarded by the owning authenticator's lock.</summary>
internal sealed class VirtualCredential
{
    public required byte[] Id { get; init; }

    public required string RpId { get; init; }

    public required byte[] UserHandle { get; init; }

    public required string UserName { get; init; }

    public required string UserDisplayName { get; init; }

    public required bool Discoverable { get; init; }

    public required bool BackupEligible { get; init; }

    public required CredentialKey Key { get; init; }

    public uint SignCount { get; set; }

    /// <summary>Advances the counter as <paramref name="mode"/> says and returns the value to report.</summary>
    public uint NextSignCount(SignCounterMode mode)
    {
        if (mode == SignCounterMode.Zero)
        {
            return 0;
        }

        // Saturate rather than wrap: a wrapped counter would look like a cloned key to every relying party.
        if (SignCount < uint.MaxValue)
        {
            SignCount++;
        }

        return SignCount;
    }

    public VirtualCredentialInfo ToInfo() => new()
    {
        CredentialId = (byte[])Id.Clone(),
        RpId = RpId,
        UserHandle = (byte[])UserHandle.Clone(),
        UserName = UserName,
        UserDisplayName = UserDisplayName,
        Algorithm = Key.Algorithm,
        PublicKey = (byte[])Key.CoseKey.Clone(),
        SignCount = SignCount,
        Discoverable = Discoverable,
        BackupEligible = BackupEligible,
    };

    /// <inheritdoc />
    public override string ToString() => $"credential for {RpId} ({Key.Algorithm})";
}
