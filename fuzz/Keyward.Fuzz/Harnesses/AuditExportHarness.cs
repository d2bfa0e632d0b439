using Keyward.Core.Audit.Export;

namespace Keyward.Fuzz.Harnesses;

/// <summary>
/// The audit export reader (<see cref="AuditExportVerifier"/>, behind <c>keyward audit verify</c>), trusting the keys
/// the export's own header lists so that signatures in a mutated export are still checked. Every problem with the
/// file is an <c>AuditVerification</c>; the verifier promises never to throw on its content.
/// </summary>
internal sealed class AuditExportHarness : IFuzzHarness
{
    /// <inheritdoc />
    public string Name => "audit-export";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.Audit;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input) => _ = Verify(input);

    /// <summary>The verifier's verdict on <paramref name="input"/> (lets the suite check the seed is an intact export).</summary>
    public static AuditVerification Verify(ReadOnlySpan<byte> input)
    {
        using var stream = new MemoryStream(input.ToArray(), writable: false);
        return AuditExportVerifier.VerifyAsync(stream).GetAwaiter().GetResult();
    }
}
