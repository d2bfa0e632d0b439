using Keyward.WebAuthn.Cose;

namespace Keyward.Fuzz.Harnesses;

/// <summary>COSE_Key decoding and import, then one signature check with the imported key (which must answer false).</summary>
internal sealed class CoseKeyHarness : IFuzzHarness
{
    private static readonly byte[] Message = "keyward fuzz: not signed"u8.ToArray();

    private static readonly byte[] Signature = new byte[72];

    /// <inheritdoc />
    public string Name => "cose-key";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.WebAuthn;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var key = CosePublicKey.Decode(input.ToArray());
        if (key.Succeeded && key.Value.Verify(Message, Signature))
        {
            throw new InvalidOperationException("A zero signature verified under a fuzzed COSE key.");
        }
    }
}
