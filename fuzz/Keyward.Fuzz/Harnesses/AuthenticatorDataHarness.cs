using Keyward.WebAuthn;

namespace Keyward.Fuzz.Harnesses;

/// <summary>Authenticator data (flags, counter, attested credential data with its COSE key, extensions).</summary>
internal sealed class AuthenticatorDataHarness : IFuzzHarness
{
    /// <inheritdoc />
    public string Name => "authdata";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.WebAuthn;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input) => _ = AuthenticatorData.Parse(input.ToArray());
}
