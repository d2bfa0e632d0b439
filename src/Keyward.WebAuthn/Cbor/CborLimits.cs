namespace Keyward.WebAuthn.Cbor;

/// <summary>Bounds on what the decoder accepts, so hostile input costs little.</summary>
/// <param name="MaxDepth">Deepest nesting of arrays and maps.</param>
/// <param name="MaxItems">Most data items in one document, counting every nested item.</param>
/// <param name="AllowIndefiniteLength">Whether indefinite-length strings, arrays and maps are read.</param>
internal readonly record struct CborLimits(int MaxDepth, int MaxItems, bool AllowIndefiniteLength)
{
    /// <summary>
    /// For CBOR that a client encodes (the attestation object): generous for every attestation format (TPM with a
    /// four-certificate chain is about 20 items); indefinite lengths are read, as RFC 8949 allows them and WebAuthn
    /// does not ask clients for a canonical form.
    /// </summary>
    public static CborLimits Default { get; } = new(MaxDepth: 16, MaxItems: 4096, AllowIndefiniteLength: true);

    /// <summary>
    /// For CBOR that an authenticator encodes (the credential public key and extension outputs in authenticator data):
    /// CTAP 2.1 §8 "CTAP2 canonical CBOR encoding form" makes every item definite-length, so an indefinite one is refused.
    /// </summary>
    public static CborLimits Authenticator { get; } = Default with { AllowIndefiniteLength = false };
}
