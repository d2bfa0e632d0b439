namespace Keyward.WebAuthn.Cose;

/// <summary>Verifies signatures with one imported public key. Implementations are thread-safe.</summary>
internal interface ISignatureVerifier
{
    bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}
