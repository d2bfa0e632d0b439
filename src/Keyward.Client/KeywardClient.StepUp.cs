using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.Client;

public sealed partial class KeywardClient
{
    /// <summary>
    /// Performs a step-up for the session of <paramref name="sessionToken"/>: begins it for <paramref name="purpose"/>
    /// (and <paramref name="target"/>), lets <paramref name="key"/> (a key of that account) sign the challenge, and
    /// finishes. The key's signature counter moved (save it).
    /// </summary>
    /// <exception cref="KeywardProblemException">Keyward refused either half (its code says why).</exception>
    public async Task<StepUpResult> StepUpAsync(VirtualAuthenticator key, string sessionToken, string purpose, string? target = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var begin = new JsonObject { ["purpose"] = purpose };
        AddIfSet(begin, "target", target);
        var started = await SendAsync(HttpMethod.Post, KeywardPaths.StepUpBegin, begin, sessionToken, null, cancellationToken).ConfigureAwait(false);
        var challenge = ReadChallenge(started);
        var assertion = key.GetAssertion(challenge.PublicKeyJson, Origin);
        var finish = new JsonObject { ["ceremony_id"] = challenge.CeremonyId.ToString(), ["credential"] = JsonNode.Parse(assertion) };
        var response = await SendAsync(HttpMethod.Post, KeywardPaths.StepUpFinish, finish, sessionToken, null, cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.StepUpResult);
    }

    /// <summary>
    /// Runs <paramref name="action"/>; when Keyward answers <c>step_up_required</c>, performs the step-up it names with
    /// <paramref name="key"/> and runs the action once more.
    /// </summary>
    public async Task<T> WithStepUpAsync<T>(VirtualAuthenticator key, string sessionToken, Func<Task<T>> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (KeywardProblemException e) when (e.StepUp is { } needed)
        {
            await StepUpAsync(key, sessionToken, needed.Purpose, needed.Target, cancellationToken).ConfigureAwait(false);
            return await action().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds <paramref name="newKey"/> to the signed-in account: a <c>key.add</c> step-up with <paramref name="existingKey"/>
    /// (already registered to it), then the registration. Both keys' counters may have moved (save them).
    /// </summary>
    public async Task<Registration> AddKeyAsync(VirtualAuthenticator existingKey, VirtualAuthenticator newKey, string sessionToken, string? keyName = null, CancellationToken cancellationToken = default)
    {
        await StepUpAsync(existingKey, sessionToken, "key.add", null, cancellationToken).ConfigureAwait(false);
        return await RegisterAsync(newKey, RegistrationRequest.AddKey(sessionToken, keyName), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the account's recovery codes (needs a <c>recovery.regenerate</c> step-up: see <see cref="WithStepUpAsync{T}"/>).</summary>
    public async Task<RecoveryCodes> RegenerateRecoveryCodesAsync(string sessionToken, CancellationToken cancellationToken = default)
    {
        var response = await PostAsync(KeywardPaths.RecoveryCodes, sessionToken, new JsonObject(), cancellationToken).ConfigureAwait(false);
        return Read(response, KeywardJsonContext.Default.RecoveryCodes);
    }
}
