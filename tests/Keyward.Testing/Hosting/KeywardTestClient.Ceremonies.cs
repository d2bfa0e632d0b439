using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Client;

namespace Keyward.Testing.Hosting;

public sealed partial class KeywardTestClient
{
    /// <summary>Registers the first admin with the setup code; later sign-ins with <see cref="LoginAsync()"/> use that account.</summary>
    public async Task<Registration> RegisterAdminAsync(string setupCode, string username = "admin", VirtualAuthenticator? key = null)
    {
        var registered = await Client.RegisterAsync(key ?? Key, RegistrationRequest.WithSetupCode(setupCode, username, "primary"));
        AccountName = username;
        return registered;
    }

    public Task<Registration> RegisterWithInviteAsync(string invite, VirtualAuthenticator key) =>
        Client.RegisterAsync(key, RegistrationRequest.WithInvite(invite));

    /// <summary>Adds <paramref name="key"/> to the session's account: a <c>key.add</c> step-up with <paramref name="stepUpKey"/> (<see cref="Key"/> when null), then the registration.</summary>
    public Task<Registration> AddKeyAsync(string token, VirtualAuthenticator key, string keyName, VirtualAuthenticator? stepUpKey = null) =>
        Client.AddKeyAsync(stepUpKey ?? Key, key, token, keyName);

    /// <summary>Signs in to <see cref="AccountName"/> with <see cref="Key"/>.</summary>
    public Task<TestSession> LoginAsync() => LoginAsync(AccountName, Key);

    /// <summary>Signs in (by name, or discoverable when null) and reads the new session's id and role from /session/status.</summary>
    public async Task<TestSession> LoginAsync(string? username, VirtualAuthenticator? key = null)
    {
        var signedIn = await Client.SignInAsync(key ?? Key, username);
        var status = await Client.StatusAsync(signedIn.SessionToken);
        return new TestSession(signedIn.SessionToken, status.SessionId, signedIn.Account, status.Role, signedIn.UserVerified);
    }

    // Each half on its own, answered as it is, for tests that change something in between.

    public Task<KeywardResponse> RegisterBeginAsync(JsonObject body, string? token = null) => PostAsync(KeywardPaths.RegisterBegin, body, token);

    public Task<KeywardResponse> RegisterFinishAsync(Guid ceremonyId, string credentialJson, string? setupCode = null, string? invite = null, string? token = null)
    {
        var body = new JsonObject { ["ceremony_id"] = ceremonyId.ToString(), ["credential"] = JsonNode.Parse(credentialJson) };
        if (setupCode is not null)
        {
            body["setup_code"] = setupCode;
        }

        if (invite is not null)
        {
            body["invite"] = invite;
        }

        return PostAsync(KeywardPaths.RegisterFinish, body, token);
    }

    /// <summary>Begins a registration (which must succeed) and lets <paramref name="key"/> make the credential; returns the ceremony and the browser's JSON.</summary>
    public async Task<(Guid CeremonyId, string Credential)> BeginAndMakeCredentialAsync(JsonObject begin, VirtualAuthenticator key, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var started = (await RegisterBeginAsync(begin, token)).EnsureSuccess();
        var credential = key.MakeCredential(started.Json.GetProperty("public_key").GetRawText(), Origin);
        return (Guid.Parse(started.GetString("ceremony_id")), credential);
    }

    public Task<KeywardResponse> LoginBeginAsync(string? username) =>
        PostAsync(KeywardPaths.LoginBegin, username is null ? new JsonObject() : new JsonObject { ["username"] = username });

    public Task<KeywardResponse> LoginFinishAsync(Guid ceremonyId, string credentialJson) =>
        PostAsync(KeywardPaths.LoginFinish, new JsonObject { ["ceremony_id"] = ceremonyId.ToString(), ["credential"] = JsonNode.Parse(credentialJson) });

    /// <summary>Begins a sign-in (which must succeed) and lets <paramref name="key"/> answer it; returns the ceremony and the browser's JSON.</summary>
    public async Task<(Guid CeremonyId, string Credential)> BeginAndGetAssertionAsync(string? username, VirtualAuthenticator key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var started = (await LoginBeginAsync(username)).EnsureSuccess();
        var credential = key.GetAssertion(started.Json.GetProperty("public_key").GetRawText(), Origin);
        return (Guid.Parse(started.GetString("ceremony_id")), credential);
    }
}
