using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>
/// Drives the broker's JSON API the way the sign-in page does, with virtual security keys, and records every
/// response it saw (for the "no token in any other response" check).
/// </summary>
internal sealed class BrokerClient(HttpClient http) : IDisposable
{
    public const string LoginFinishPath = "/session/login/finish";

    private readonly ConcurrentQueue<ApiResponse> _seen = new();

    /// <summary>The client's default key.</summary>
    public VirtualAuthenticator Key { get; } = VirtualAuthenticator.Create();

    public HttpClient Http => http;

    /// <summary>Every response this client received, in order.</summary>
    public IReadOnlyCollection<ApiResponse> Seen => _seen;

    public static VirtualAuthenticator NewKey(VirtualAuthenticatorOptions? options = null) => VirtualAuthenticator.Create(options);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var result = new ApiResponse(method, path, response, text);
        _seen.Enqueue(result);
        return result;
    }

    public Task<ApiResponse> PostAsync(string path, JsonNode? body = null, string? token = null) => SendAsync(HttpMethod.Post, path, body ?? new JsonObject(), token);

    public Task<ApiResponse> GetAsync(string path, string? token = null, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Get, path, null, token, configure);

    public Task<ApiResponse> DeleteAsync(string path, string? token = null) => SendAsync(HttpMethod.Delete, path, null, token);

    public Task<ApiResponse> StatusAsync(string? token) => PostAsync("/session/status", token: token);

    public Task<ApiResponse> LogoutAsync(string? token) => PostAsync("/session/logout", token: token);

    public Task<ApiResponse> ProxyAsync(string path, string? token, Action<HttpRequestMessage>? configure = null) => GetAsync(path, token, configure);

    // Registration.

    public Task<ApiResponse> RegisterBeginAsync(JsonObject body, string? token = null) => PostAsync("/api/register/begin", body, token);

    public Task<ApiResponse> RegisterFinishAsync(Guid ceremonyId, string credentialJson, string? setupCode = null, string? invite = null, string? token = null)
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

        return PostAsync("/api/register/finish", body, token);
    }

    /// <summary>Begins a registration and lets <paramref name="key"/> make the credential; returns the ceremony and the browser's JSON.</summary>
    public async Task<(Guid CeremonyId, string Credential)> BeginAndMakeCredentialAsync(JsonObject begin, VirtualAuthenticator key, string? token = null)
    {
        var started = await RegisterBeginAsync(begin, token);
        ProblemAssert.Ok(started);
        var credential = key.MakeCredential(started.Json.GetProperty("public_key").GetRawText(), BrokerHost.Origin);
        return (Guid.Parse(started.String("ceremony_id")), credential);
    }

    public async Task<Registration> RegisterAdminAsync(string setupCode, string username = "admin", VirtualAuthenticator? key = null)
    {
        var (ceremony, credential) = await BeginAndMakeCredentialAsync(new JsonObject { ["setup_code"] = setupCode, ["username"] = username, ["key_name"] = "primary" }, key ?? Key);
        return Registration.From(await RegisterFinishAsync(ceremony, credential, setupCode: setupCode));
    }

    public async Task<Registration> RegisterWithInviteAsync(string invite, VirtualAuthenticator key)
    {
        var (ceremony, credential) = await BeginAndMakeCredentialAsync(new JsonObject { ["invite"] = invite }, key);
        return Registration.From(await RegisterFinishAsync(ceremony, credential, invite: invite));
    }

    public async Task<Registration> AddKeyAsync(string token, VirtualAuthenticator key, string keyName)
    {
        var (ceremony, credential) = await BeginAndMakeCredentialAsync(new JsonObject { ["key_name"] = keyName }, key, token);
        return Registration.From(await RegisterFinishAsync(ceremony, credential, token: token));
    }

    // Sign-in.

    public Task<ApiResponse> LoginBeginAsync(string? username) =>
        PostAsync("/session/login/begin", username is null ? new JsonObject() : new JsonObject { ["username"] = username });

    public Task<ApiResponse> LoginFinishAsync(Guid ceremonyId, string credentialJson) =>
        PostAsync(LoginFinishPath, new JsonObject { ["ceremony_id"] = ceremonyId.ToString(), ["credential"] = JsonNode.Parse(credentialJson) });

    /// <summary>Begins a sign-in and lets <paramref name="key"/> answer it; returns the ceremony and the browser's JSON.</summary>
    public async Task<(Guid CeremonyId, string Credential)> BeginAndGetAssertionAsync(string? username, VirtualAuthenticator key)
    {
        var started = await LoginBeginAsync(username);
        ProblemAssert.Ok(started);
        var credential = key.GetAssertion(started.Json.GetProperty("public_key").GetRawText(), BrokerHost.Origin);
        return (Guid.Parse(started.String("ceremony_id")), credential);
    }

    /// <summary>Signs in (by name, or discoverable when null) and reads the new session's id from /session/status.</summary>
    public async Task<Session> LoginAsync(string? username, VirtualAuthenticator? key = null)
    {
        var (ceremony, credential) = await BeginAndGetAssertionAsync(username, key ?? Key);
        var finished = await LoginFinishAsync(ceremony, credential);
        ProblemAssert.Ok(finished);
        var token = finished.String("session_token");
        var status = await StatusAsync(token);
        ProblemAssert.Ok(status);
        return new Session(
            token,
            Guid.Parse(status.String("session_id")),
            finished.String("account"),
            status.String("role"),
            finished.Json.GetProperty("user_verified").GetBoolean());
    }

    public async Task<string> CreateInviteAsync(string adminToken, string accountName, string role)
    {
        var created = await PostAsync("/api/admin/invites", new JsonObject { ["account_name"] = accountName, ["role"] = role }, adminToken);
        ProblemAssert.Ok(created);
        return created.String("invite");
    }

    public void Dispose() => http.Dispose();
}

/// <summary>A signed-in session as the client knows it.</summary>
internal sealed record Session(string Token, Guid Id, string Account, string Role, bool UserVerified)
{
    // Never print the token in a failure message.
    public override string ToString() => $"session {Id} of {Account} ({Role})";
}

/// <summary>The answer to /api/register/finish.</summary>
internal sealed record Registration(string Account, string Role, Guid KeyId, string KeyName, bool UserVerified)
{
    public static Registration From(ApiResponse response)
    {
        ProblemAssert.Ok(response);
        var key = response.Json.GetProperty("key");
        return new Registration(
            response.String("account"),
            response.String("role"),
            key.GetProperty("id").GetGuid(),
            key.GetProperty("name").GetString()!,
            key.GetProperty("user_verified").GetBoolean());
    }
}
