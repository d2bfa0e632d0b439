using Keyward.WebAuthn;

namespace Keyward.Fuzz.Harnesses;

/// <summary>clientDataJSON parsing.</summary>
internal sealed class ClientDataHarness : IFuzzHarness
{
    /// <inheritdoc />
    public string Name => "client-data";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.WebAuthn;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input) => _ = CollectedClientData.Parse(input);
}
