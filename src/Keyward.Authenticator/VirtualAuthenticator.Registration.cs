using System.Security.Cryptography;
using Keyward.WebAuthn.Cose;

namespace Keyward.Authenticator;

public sealed partial class VirtualAuthenticator
{
    /// <summary>Length of the credential ids the key makes.</summary>
    public const int CredentialIdLength = 32;

    /// <summary>
    /// Runs <c>navigator.credentials.create()</c> against this key: reads PublicKeyCredentialCreationOptionsJSON,
    /// makes a credential, and returns the RegistrationResponseJSON a browser would send to the relying party.
    /// </summary>
    /// <param name="creationOptionsJson">The options JSON from the relying party (bare, or wrapped in <c>publicKey</c>).</param>
    /// <param name="origin">The origin of the page, such as <c>https://example.org</c>.</param>
    /// <returns>The response JSON.</returns>
    /// <exception cref="AuthenticatorException">An expected failure; <see cref="AuthenticatorException.Error"/> says which.</exception>
    /// <exception cref="ArgumentException"><paramref name="origin"/> is not an origin.</exception>
    public string MakeCredential(string creationOptionsJson, string origin) => TryMakeCredential(creationOptionsJson, origin).Value;

    /// <summary>
    /// Like <see cref="MakeCredential"/>, returning expected failures as values: MalformedOptions, SecurityError,
    /// UnsupportedAlgorithm, CredentialExcluded or NotAllowed.
    /// </summary>
    /// <param name="creationOptionsJson">The options JSON from the relying party (bare, or wrapped in <c>publicKey</c>).</param>
    /// <param name="origin">The origin of the page, such as <c>https://example.org</c>.</param>
    /// <returns>The response JSON, or the failure.</returns>
    /// <exception cref="ArgumentException"><paramref name="origin"/> is not an origin.</exception>
    public AuthenticatorResult<string> TryMakeCredential(string creationOptionsJson, string origin)
    {
        ArgumentNullException.ThrowIfNull(creationOptionsJson);
        ArgumentException.ThrowIfNullOrEmpty(origin);
        var parsed = CreationOptions.Parse(creationOptionsJson);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        var request = parsed.Value;
        lock (_gate)
        {
            var options = _options;
            var client = ClientOrigin.Resolve(origin, request.RpId, options.DangerousSkipOriginCheck);
            if (!client.Succeeded)
            {
                return client.Failure;
            }

            var (clientOrigin, rpId) = client.Value;

            // CTAP 2.1 §6.1.2: check the algorithm (step 3), then the exclude list (step 7), then user verification.
            if (ChooseAlgorithm(request.Algorithms) is not { } algorithm)
            {
                return AuthenticatorResult<string>.Fail(AuthenticatorError.UnsupportedAlgorithm, $"offered: {string.Join(", ", request.Algorithms)}");
            }

            if (request.ExcludeCredentials.Any(id => Find(rpId, id) is not null))
            {
                return AuthenticatorResult<string>.Fail(AuthenticatorError.CredentialExcluded);
            }

            var userVerified = DecideUserVerification(request.UserVerification, options);
            if (!userVerified.Succeeded)
            {
                return userVerified.Failure;
            }

            var credential = new VirtualCredential
            {
                Id = RandomNumberGenerator.GetBytes(CredentialIdLength),
                RpId = rpId,
                UserHandle = request.UserId,
                UserName = request.UserName,
                UserDisplayName = request.UserDisplayName,
                Discoverable = request.ResidentKey,
                BackupEligible = options.BackupEligible,
                Key = CredentialKey.Generate(algorithm),
            };

            var flags = Flags(userVerified.Value, credential.BackupEligible, options);
            var authenticatorData = AuthenticatorDataWriter.ForRegistration(rpId, flags, 0, options.Aaguid, credential.Id, credential.Key.CoseKey);
            var clientData = ClientDataJson.Serialize(ClientDataJson.TypeCreate, request.Challenge, clientOrigin);
            var attestationObject = UsePackedSelf(options, request.Attestation)
                ? AttestationObjectWriter.PackedSelf(authenticatorData, clientData, credential.Key)
                : AttestationObjectWriter.None(authenticatorData);

            if (credential.Discoverable)
            {
                // CTAP 2.1 §6.1.2 step 17: a new discoverable credential replaces the one for the same RP and user.
                var replaced = _credentials.FindIndex(c => c.Discoverable && c.RpId == rpId && c.UserHandle.AsSpan().SequenceEqual(credential.UserHandle));
                if (replaced >= 0)
                {
                    _credentials[replaced].Key.Destroy();
                    _credentials.RemoveAt(replaced);
                }
            }

            _credentials.Add(credential);
            return AuthenticatorResult<string>.Ok(ResponseJson.Registration(
                credential.Id, clientData, authenticatorData, attestationObject, credential.Key, request.CredProps ? credential.Discoverable : null));
        }
    }

    /// <summary>The first offered algorithm the key supports; an empty list means ES256 and RS256 (WebAuthn L3 §5.1.3 step 10).</summary>
    private static CoseAlgorithm? ChooseAlgorithm(IReadOnlyList<long> offered)
    {
        if (offered.Count == 0)
        {
            return CoseAlgorithm.ES256;
        }

        foreach (var alg in offered)
        {
            if (CredentialKey.IsSupported(alg))
            {
                return (CoseAlgorithm)alg;
            }
        }

        return null;
    }

    /// <summary>
    /// WebAuthn L3 §5.1.3 step 22 (constructCredentialAlg): under conveyance "none" the client keeps a packed self
    /// attestation only when the AAGUID is zero; otherwise it substitutes fmt "none" and an empty attStmt.
    /// </summary>
    private static bool UsePackedSelf(VirtualAuthenticatorOptions options, string conveyance) =>
        options.Attestation == VirtualAttestation.PackedSelf
        && (conveyance != "none" || options.Aaguid.AsSpan().IndexOfAnyExcept((byte)0) < 0);
}
