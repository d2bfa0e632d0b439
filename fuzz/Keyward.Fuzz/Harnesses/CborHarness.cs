using Keyward.WebAuthn.Cbor;

namespace Keyward.Fuzz.Harnesses;

/// <summary>The strict CBOR decoder, under both limit sets (client-encoded and authenticator-encoded CBOR).</summary>
internal sealed class CborHarness : IFuzzHarness
{
    /// <inheritdoc />
    public string Name => "cbor";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.WebAuthn;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();

        // Malformed CBOR is a MalformedCbor failure value; the decoder promises never to throw.
        _ = CborDecoder.Decode(bytes, CborLimits.Default);
        _ = CborDecoder.Decode(bytes, CborLimits.Authenticator);
        _ = CborDecoder.DecodePrefix(bytes, CborLimits.Authenticator, out _);
    }
}
