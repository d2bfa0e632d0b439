namespace Keyward.WebAuthn.Cbor;

/// <summary>Bounds on what the decoder accepts, so hostile input costs little.</summary>
/// <param name="MaxDepth">Deepest nesting of arrays and maps.</param>
/// <param name="MaxItems">Most data items in one document, counting every nested item.</param>
internal readonly record struct CborLimits(int MaxDepth, int MaxItems)
{
    /// <summary>Generous for every attestation format (TPM with a four-certificate chain is about 20 items).</summary>
    public static CborLimits Default { get; } = new(MaxDepth: 16, MaxItems: 4096);
}
