using System.Buffers.Binary;
using Keyward.WebAuthn.Cbor;
using Keyward.WebAuthn.Cose;

namespace Keyward.WebAuthn;

/// <summary>Parsed authenticator data (WebAuthn L3 §6.1). Parsing is strict: no truncation, no trailing bytes.</summary>
public sealed class AuthenticatorData
{
    /// <summary>Longest credential id a relying party accepts (WebAuthn L3 §7.1 step 25).</summary>
    public const int MaxCredentialIdLength = 1023;

    private const int FixedLength = 37;

    private AuthenticatorData(byte[] raw, AuthenticatorFlags flags, uint signCount, AttestedCredentialData? attested, byte[]? extensions)
    {
        Raw = raw;
        Flags = flags;
        SignCount = signCount;
        AttestedCredential = attested;
        Extensions = extensions;
    }

    /// <summary>The bytes exactly as signed.</summary>
    public byte[] Raw { get; }

    /// <summary>SHA-256 of the RP ID the credential is scoped to.</summary>
    public ReadOnlySpan<byte> RpIdHash => Raw.AsSpan(0, 32);

    /// <summary>The flags.</summary>
    public AuthenticatorFlags Flags { get; }

    /// <summary>The signature counter (0 when the authenticator does not keep one).</summary>
    public uint SignCount { get; }

    /// <summary>Attested credential data, present when AT is set.</summary>
    public AttestedCredentialData? AttestedCredential { get; }

    /// <summary>The CBOR extension outputs map, present when ED is set.</summary>
    public byte[]? Extensions { get; }

    /// <summary>True when UP is set.</summary>
    public bool UserPresent => (Flags & AuthenticatorFlags.UserPresent) != 0;

    /// <summary>True when UV is set.</summary>
    public bool UserVerified => (Flags & AuthenticatorFlags.UserVerified) != 0;

    /// <summary>True when BE is set.</summary>
    public bool BackupEligible => (Flags & AuthenticatorFlags.BackupEligible) != 0;

    /// <summary>True when BS is set.</summary>
    public bool BackedUp => (Flags & AuthenticatorFlags.BackupState) != 0;

    /// <summary>Parses authenticator data.</summary>
    public static WebAuthnResult<AuthenticatorData> Parse(byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length < FixedLength)
        {
            return Malformed($"{raw.Length} bytes, at least {FixedLength} required");
        }

        var flags = (AuthenticatorFlags)raw[32];
        var signCount = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(33, 4));
        var offset = FixedLength;
        AttestedCredentialData? attested = null;
        if ((flags & AuthenticatorFlags.AttestedCredentialData) != 0)
        {
            if (raw.Length < offset + 18)
            {
                return Malformed("attested credential data is truncated");
            }

            var aaguid = raw.AsSpan(offset, 16).ToArray();
            var idLength = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(offset + 16, 2));
            offset += 18;
            if (idLength > MaxCredentialIdLength)
            {
                return WebAuthnResult<AuthenticatorData>.Fail(WebAuthnErrorCode.CredentialIdTooLong, $"{idLength} bytes");
            }

            if (raw.Length < offset + idLength)
            {
                return Malformed("the credential id is truncated");
            }

            var credentialId = raw.AsSpan(offset, idLength).ToArray();
            offset += idLength;

            var keyMemory = raw.AsMemory(offset);
            // The authenticator encodes the key in CTAP2 canonical form (CTAP 2.1 §8): definite lengths only.
            var cbor = CborDecoder.DecodePrefix(keyMemory, CborLimits.Authenticator, out var keyLength);
            if (!cbor.Succeeded)
            {
                return cbor.Failure;
            }

            var key = CosePublicKey.FromCbor(cbor.Value, keyMemory[..keyLength].ToArray());
            if (!key.Succeeded)
            {
                return key.Failure;
            }

            offset += keyLength;
            attested = new AttestedCredentialData(aaguid, credentialId, key.Value);
        }

        byte[]? extensions = null;
        if ((flags & AuthenticatorFlags.ExtensionData) != 0)
        {
            var rest = raw.AsMemory(offset);
            var cbor = CborDecoder.Decode(rest, CborLimits.Authenticator);
            if (!cbor.Succeeded || cbor.Value.Kind != CborKind.Map)
            {
                return WebAuthnResult<AuthenticatorData>.Fail(WebAuthnErrorCode.ExtensionsInvalid, "ED is set but no CBOR map of extension outputs follows");
            }

            extensions = rest.ToArray();
            offset = raw.Length;
        }

        if (offset != raw.Length)
        {
            return Malformed($"{raw.Length - offset} trailing bytes");
        }

        return WebAuthnResult<AuthenticatorData>.Ok(new AuthenticatorData(raw, flags, signCount, attested, extensions));
    }

    private static WebAuthnResult<AuthenticatorData> Malformed(string detail) =>
        WebAuthnResult<AuthenticatorData>.Fail(WebAuthnErrorCode.MalformedAuthenticatorData, detail);
}
