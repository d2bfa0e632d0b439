using System.Security.Cryptography;

namespace Keyward.Authenticator;

public sealed partial class VirtualAuthenticator
{
    /// <summary>
    /// Runs <c>navigator.credentials.get()</c> against this key: reads PublicKeyCredentialRequestOptionsJSON, signs
    /// an assertion, and returns the AuthenticationResponseJSON a browser would send to the relying party.
    /// </summary>
    /// <param name="requestOptionsJson">The options JSON from the relying party (bare, or wrapped in <c>publicKey</c>).</param>
    /// <param name="origin">The origin of the page, such as <c>https://example.org</c>.</param>
    /// <returns>The response JSON.</returns>
    /// <exception cref="AuthenticatorException">An expected failure; <see cref="AuthenticatorException.Error"/> says which.</exception>
    /// <exception cref="ArgumentException"><paramref name="origin"/> is not an origin.</exception>
    public string GetAssertion(string requestOptionsJson, string origin) => TryGetAssertion(requestOptionsJson, origin).Value;

    /// <summary>
    /// Like <see cref="GetAssertion"/>, returning expected failures as values: MalformedOptions, SecurityError,
    /// NoCredentials or NotAllowed.
    /// </summary>
    /// <remarks>
    /// With allowCredentials, the first listed credential the key holds for the RP ID signs. Without, the key
    /// offers its discoverable credentials for the RP ID, most recent first, to <see cref="CredentialSelector"/>
    /// (or takes the first). The response always carries the credential's user handle.
    /// </remarks>
    /// <param name="requestOptionsJson">The options JSON from the relying party (bare, or wrapped in <c>publicKey</c>).</param>
    /// <param name="origin">The origin of the page, such as <c>https://example.org</c>.</param>
    /// <returns>The response JSON, or the failure.</returns>
    /// <exception cref="ArgumentException"><paramref name="origin"/> is not an origin.</exception>
    public AuthenticatorResult<string> TryGetAssertion(string requestOptionsJson, string origin)
    {
        ArgumentNullException.ThrowIfNull(requestOptionsJson);
        ArgumentException.ThrowIfNullOrEmpty(origin);
        var parsed = RequestOptions.Parse(requestOptionsJson);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        var request = parsed.Value;
        bool skipOriginCheck;
        lock (_gate)
        {
            skipOriginCheck = _options.DangerousSkipOriginCheck;
        }

        var client = ClientOrigin.Resolve(origin, request.RpId, skipOriginCheck);
        if (!client.Succeeded)
        {
            return client.Failure;
        }

        var (clientOrigin, rpId) = client.Value;
        var chosen = ChooseCredential(rpId, request.AllowCredentials);
        if (!chosen.Succeeded)
        {
            return chosen.Failure;
        }

        lock (_gate)
        {
            // The selector ran outside the lock: the credential may have been removed meanwhile.
            if (Find(rpId, chosen.Value) is not { } credential)
            {
                return AuthenticatorResult<string>.Fail(AuthenticatorError.NoCredentials, "the chosen credential was removed");
            }

            var options = _options;
            var userVerified = DecideUserVerification(request.UserVerification, options);
            if (!userVerified.Succeeded)
            {
                return userVerified.Failure;
            }

            var flags = Flags(userVerified.Value, credential.BackupEligible, options);
            var authenticatorData = AuthenticatorDataWriter.ForAssertion(rpId, flags, credential.NextSignCount(options.SignCounter));
            var clientData = ClientDataJson.Serialize(ClientDataJson.TypeGet, request.Challenge, clientOrigin);

            // WebAuthn L3 §6.3.3 step 11: sign authenticatorData ‖ clientDataHash.
            var signature = credential.Key.Sign([.. authenticatorData, .. SHA256.HashData(clientData)]);
            return AuthenticatorResult<string>.Ok(ResponseJson.Assertion(credential.Id, clientData, authenticatorData, signature, credential.UserHandle));
        }
    }

    /// <summary>Picks the credential id that will sign, running the selector (user code) outside the lock.</summary>
    private AuthenticatorResult<byte[]> ChooseCredential(string rpId, IReadOnlyList<byte[]> allowCredentials)
    {
        VirtualCredentialInfo[] candidates;
        lock (_gate)
        {
            if (allowCredentials.Count > 0)
            {
                foreach (var id in allowCredentials)
                {
                    if (Find(rpId, id) is { } held)
                    {
                        return AuthenticatorResult<byte[]>.Ok(held.Id);
                    }
                }

                return AuthenticatorResult<byte[]>.Fail(AuthenticatorError.NoCredentials, "none of allowCredentials is held for this RP ID");
            }

            candidates = _credentials.Where(c => c.Discoverable && c.RpId == rpId).Reverse().Select(c => c.ToInfo()).ToArray();
        }

        if (candidates.Length == 0)
        {
            return AuthenticatorResult<byte[]>.Fail(AuthenticatorError.NoCredentials, "no discoverable credential for this RP ID");
        }

        if (CredentialSelector is not { } selector)
        {
            return AuthenticatorResult<byte[]>.Ok(candidates[0].CredentialId);
        }

        var picked = selector(candidates);
        if (picked is null || !candidates.Any(c => c.CredentialId.AsSpan().SequenceEqual(picked.CredentialId)))
        {
            return AuthenticatorResult<byte[]>.Fail(AuthenticatorError.NotAllowed, "no credential was chosen");
        }

        return AuthenticatorResult<byte[]>.Ok(picked.CredentialId);
    }
}
