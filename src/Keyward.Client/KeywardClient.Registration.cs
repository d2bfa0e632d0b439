using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.Client;

public sealed partial class KeywardClient
{
    /// <summary>
    /// Registers <paramref name="key"/>: begins the ceremony with what <paramref name="request"/> presents, lets the key
    /// make a credential for <see cref="Origin"/>, and finishes. The key then holds the new credential (save it).
    /// </summary>
    /// <exception cref="KeywardProblemException">Keyward refused either half (its code says why).</exception>
    /// <exception cref="AuthenticatorException">The key refused the options (wrong origin, nothing it supports).</exception>
    public async Task<Registration> RegisterAsync(VirtualAuthenticator key, RegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var challenge = await BeginRegistrationAsync(request, cancellationToken).ConfigureAwait(false);
        var credential = key.MakeCredential(challenge.PublicKeyJson, Origin);
        return await FinishRegistrationAsync(challenge.CeremonyId, credential, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first half of a registration: the ceremony and the creation options for an authenticator.</summary>
    public async Task<CeremonyChallenge> BeginRegistrationAsync(RegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject();
        AddIfSet(body, "setup_code", request.SetupCode);
        AddIfSet(body, "invite", request.Invite);
        AddIfSet(body, "username", request.Username);
        AddIfSet(body, "key_name", request.KeyName);
        AddIfSet(body, "recovery_code", request.RecoveryCode);
        var response = await SendAsync(HttpMethod.Post, KeywardPaths.RegisterBegin, body, request.SessionToken, null, cancellationToken).ConfigureAwait(false);
        return ReadChallenge(response);
    }

    /// <summary>The second half of a registration: the authenticator's credential (JSON) for the ceremony.</summary>
    public async Task<Registration> FinishRegistrationAsync(Guid ceremonyId, string credentialJson, RegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject { ["ceremony_id"] = ceremonyId.ToString(), ["credential"] = JsonNode.Parse(credentialJson) };
        AddIfSet(body, "setup_code", request.SetupCode);
        AddIfSet(body, "invite", request.Invite);
        AddIfSet(body, "recovery_code", request.RecoveryCode);
        var response = await SendAsync(HttpMethod.Post, KeywardPaths.RegisterFinish, body, request.SessionToken, null, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.Registration);
    }
}
