using System.Formats.Asn1;
using System.Security.Cryptography;
using Keyward.WebAuthn;
using Keyward.WebAuthn.Attestation;
using Keyward.WebAuthn.Cbor;

namespace Keyward.Fuzz.Harnesses;

/// <summary>
/// The attestation object and every attestation statement format, dispatched on fmt exactly as
/// <see cref="RelyingParty.VerifyRegistration"/> does (steps 12 and 21–24), minus the ceremony checks that need options.
/// Input: 32 bytes of client data hash, then the attestation object (so a captured registration still verifies).
/// android-safetynet, which the relying party refuses before verifying, is verified here too.
/// </summary>
internal sealed class AttestationHarness : IFuzzHarness
{
    /// <summary>Length of the client data hash that prefixes each input.</summary>
    public const int ClientDataHashLength = 32;

    /// <summary>One fixed instant, so a corpus file means the same thing on every run.</summary>
    public static readonly DateTimeOffset VerificationTime = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly int MaxAttestationObjectLength = new RelyingPartyPolicy { RpId = "fuzz.example", Origins = ["https://fuzz.example"] }.MaxAttestationObjectLength;

    /// <inheritdoc />
    public string Name => "attestation";

    /// <inheritdoc />
    public IReadOnlyList<string> Targets => FuzzTargets.WebAuthn;

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length <= ClientDataHashLength || input.Length - ClientDataHashLength > MaxAttestationObjectLength)
        {
            return;
        }

        var clientDataHash = input[..ClientDataHashLength].ToArray();
        var decoded = CborDecoder.Decode(input[ClientDataHashLength..].ToArray(), CborLimits.Default);
        if (!decoded.Succeeded
            || decoded.Value.Kind != CborKind.Map
            || !decoded.Value.TryGetText("fmt", out var fmt)
            || !decoded.Value.TryGet("attStmt", out var statement) || statement.Kind != CborKind.Map
            || !decoded.Value.TryGetBytes("authData", out var rawAuthData))
        {
            return;
        }

        var authData = AuthenticatorData.Parse(rawAuthData);
        if (!authData.Succeeded || authData.Value.AttestedCredential is null || !AttestationFormats.TryGet(fmt, out var format))
        {
            return;
        }

        try
        {
            var verdict = format.Verify(new AttestationInput(statement, authData.Value, clientDataHash, VerificationTime));
            if (verdict.Succeeded && verdict.Value.TrustPath.Count > 0)
            {
                _ = AttestationChain.IsTrusted(verdict.Value.TrustPath, [], VerificationTime);
            }
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException or FormatException or ArgumentException)
        {
            // The relying party's documented boundary (RelyingParty.VerifyRegistration): X509Certificate2 parses some
            // fields lazily, so these are refusals (AttestationInvalid), not crashes.
        }
    }
}
