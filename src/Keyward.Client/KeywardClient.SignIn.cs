using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.Client;

public sealed partial class KeywardClient
{
    /// <summary>
    /// Signs in with <paramref name="key"/>: begins the ceremony (for <paramref name="username"/>, or discoverable when
    /// null), lets the key sign the challenge for <see cref="Origin"/>, and finishes. The key's signature counter moved
    /// (save it).
    /// </summary>
    /// <exception cref="KeywardProblemException">Keyward refused either half (its code says why).</exception>
    /// <exception cref="AuthenticatorException">The key holds no credential for this relying party.</exception>
    public async Task<SignInResult> SignInAsync(VirtualAuthenticator key, string? username, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var challenge = await BeginSignInAsync(username, cancellationToken).ConfigureAwait(false);
        var assertion = key.GetAssertion(challenge.PublicKeyJson, Origin);
        return await FinishSignInAsync(challenge.CeremonyId, assertion, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first half of a sign-in: the ceremony and the request options for an authenticator.</summary>
    public async Task<CeremonyChallenge> BeginSignInAsync(string? username, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        AddIfSet(body, "username", username);
        var response = await SendAsync(HttpMethod.Post, KeywardPaths.LoginBegin, body, null, null, cancellationToken).ConfigureAwait(false);
        return ReadChallenge(response);
    }

    /// <summary>The second half of a sign-in: the authenticator's assertion (JSON) for the ceremony.</summary>
    public async Task<SignInResult> FinishSignInAsync(Guid ceremonyId, string assertionJson, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["ceremony_id"] = ceremonyId.ToString(), ["credential"] = JsonNode.Parse(assertionJson) };
        var response = await SendAsync(HttpMethod.Post, KeywardPaths.LoginFinish, body, null, null, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.SignInResult);
    }
}
