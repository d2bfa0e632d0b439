using System.Buffers;
using System.Security.Cryptography;

namespace Keyward.WebAuthn;

public sealed partial class RelyingParty
{
    /// <summary>
    /// Verifies an authentication response (WebAuthn L3 §7.2) made with <paramref name="stored"/>, which the caller
    /// looked up by <see cref="AuthenticationCredential.RawId"/>. On success, store the returned sign count and BS.
    /// </summary>
    public WebAuthnResult<AssertionResult> VerifyAssertion(AuthenticationCredential credential, AssertionCeremony ceremony, StoredCredential stored)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(ceremony);
        ArgumentNullException.ThrowIfNull(stored);

        // Steps 5–6: the credential was allowed, and it belongs to the user.
        var failure = VerifyAllowed(credential, ceremony, stored) ?? VerifyUserHandle(credential, ceremony, stored);
        if (failure is not null)
        {
            return failure;
        }

        // Steps 9–14: client data.
        var clientData = VerifyClientData(credential.ClientDataJson, CeremonySteps.AssertionType, ceremony.Challenge);
        if (!clientData.Succeeded)
        {
            return clientData.Failure;
        }

        var parsed = AuthenticatorData.Parse(credential.AuthenticatorData);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        var authData = parsed.Value;
        if (authData.AttestedCredential is not null)
        {
            return WebAuthnResult<AssertionResult>.Fail(WebAuthnErrorCode.AttestedCredentialDataInvalid, "AT is set in an assertion");
        }

        // Steps 15–18. Step 16 has no exception: UP is required on every assertion.
        failure = CeremonySteps.VerifyRpIdHash(authData, _rpIdHash)
            ?? CeremonySteps.VerifyUserPresence(authData, required: true)
            ?? CeremonySteps.VerifyUserVerification(authData, ceremony.UserVerification)
            ?? CeremonySteps.VerifyBackupFlags(authData, stored.BackupEligible);
        if (failure is not null)
        {
            return failure;
        }

        // Steps 20–21: signature over authenticatorData ‖ SHA-256(clientDataJSON).
        var key = Keys.Get(stored.PublicKey);
        if (!key.Succeeded)
        {
            return key.Failure;
        }

        if (VerifySha1Allowed(key.Value) is { } sha1)
        {
            return sha1;
        }

        if (!VerifySignature(key.Value, credential.AuthenticatorData, credential.ClientDataJson, credential.Signature))
        {
            return WebAuthnResult<AssertionResult>.Fail(WebAuthnErrorCode.SignatureInvalid);
        }

        // Step 22: signature counter.
        failure = CeremonySteps.VerifySignCount(stored.SignCount, authData.SignCount, Policy.SignCount, out var possibleClone);
        if (failure is not null)
        {
            return failure;
        }

        return WebAuthnResult<AssertionResult>.Ok(new AssertionResult
        {
            CredentialId = stored.CredentialId,
            SignCount = possibleClone ? stored.SignCount : authData.SignCount,
            Flags = authData.Flags,
            PossibleClone = possibleClone,
        });
    }

    /// <summary>§7.2 step 5: with an allow list, the credential must be on it; and it is the stored one.</summary>
    private static WebAuthnFailure? VerifyAllowed(AuthenticationCredential credential, AssertionCeremony ceremony, StoredCredential stored)
    {
        if (!credential.RawId.AsSpan().SequenceEqual(stored.CredentialId))
        {
            return new WebAuthnFailure(WebAuthnErrorCode.CredentialIdMismatch, "the response is for a different credential than the stored record");
        }

        if (ceremony.AllowCredentials.Count == 0)
        {
            return null;
        }

        foreach (var id in ceremony.AllowCredentials)
        {
            if (id.AsSpan().SequenceEqual(credential.RawId))
            {
                return null;
            }
        }

        return new WebAuthnFailure(WebAuthnErrorCode.CredentialNotAllowed);
    }

    /// <summary>§7.2 step 6: a user handle in the response must own the credential; without prior identification it is required.</summary>
    private static WebAuthnFailure? VerifyUserHandle(AuthenticationCredential credential, AssertionCeremony ceremony, StoredCredential stored)
    {
        if (credential.UserHandle is { } handle)
        {
            return CryptographicOperations.FixedTimeEquals(handle, stored.UserHandle) ? null : new WebAuthnFailure(WebAuthnErrorCode.UserHandleMismatch);
        }

        return ceremony.UserIdentified ? null : new WebAuthnFailure(WebAuthnErrorCode.UserHandleMismatch, "a discoverable sign-in must return the user handle");
    }

    /// <summary>Verifies the assertion signature without copying more than the signed bytes once.</summary>
    internal static bool VerifySignature(Cose.CosePublicKey key, byte[] authenticatorData, byte[] clientDataJson, byte[] signature)
    {
        var length = authenticatorData.Length + SHA256.HashSizeInBytes;
        // Stryker disable once all : equivalent, where the buffer lives (stack up to 512 bytes, pool above) does not change the signed bytes
        var rented = length > 512 ? ArrayPool<byte>.Shared.Rent(length) : null;
        // Stryker disable once all : equivalent, see above
        var signed = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            authenticatorData.CopyTo(signed);
            SHA256.HashData(clientDataJson, signed[authenticatorData.Length..]);
            return key.Verify(signed, signature);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
