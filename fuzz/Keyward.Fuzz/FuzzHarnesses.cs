using Keyward.Fuzz.Harnesses;

namespace Keyward.Fuzz;

/// <summary>Every harness, by name.</summary>
public static class FuzzHarnesses
{
    private static readonly Dictionary<string, Func<IFuzzHarness>> Factories = new(StringComparer.Ordinal)
    {
        ["cbor"] = () => new CborHarness(),
        ["cose-key"] = () => new CoseKeyHarness(),
        ["authdata"] = () => new AuthenticatorDataHarness(),
        ["attestation"] = () => new AttestationHarness(),
        ["client-data"] = () => new ClientDataHarness(),
        ["assertion"] = () => new AssertionHarness(),
        ["audit-export"] = () => new AuditExportHarness(),
    };

    /// <summary>The harness names, which are also the corpus folder names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Creates the named harness and returns its input runner, or null for an unknown name.</summary>
    public static Action<byte[]>? Create(string name) =>
        Factories.TryGetValue(name, out var factory) ? Wrap(factory()) : null;

    /// <summary>The assemblies to instrument for the named harness, or null for an unknown name.</summary>
    public static IReadOnlyList<string>? TargetsOf(string name) =>
        Factories.TryGetValue(name, out var factory) ? factory().Targets : null;

    private static Action<byte[]> Wrap(IFuzzHarness harness) => bytes => harness.Run(bytes);
}
