using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Keyward.Authenticator;
using Keyward.Client;

namespace Keyward.Testing.Hosting;

/// <summary>
/// Drives Keyward's API the way the sign-in page does, with virtual security keys, through the one client
/// (<see cref="KeywardClient"/>): the whole ceremonies for set-up (first admin, invites, more keys, sign-in), and each
/// half on its own for tests that tamper between them. Every response it receives is kept, for the "no secret in
/// any other response" scans.
/// </summary>
public sealed partial class KeywardTestClient : IDisposable
{
    private readonly ConcurrentQueue<KeywardResponse> _seen = new();
    private readonly HttpClient _http;

    /// <summary>A client of <paramref name="endpoint"/> with <paramref name="key"/> (a new virtual key when null).</summary>
    public KeywardTestClient(IKeywardEndpoint endpoint, VirtualAuthenticator? key = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Key = key ?? VirtualAuthenticator.Create();
        _http = new HttpClient(endpoint.CreateHandler()) { BaseAddress = endpoint.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Client = new KeywardClient(_http, new KeywardClientOptions { Origin = endpoint.Origin, OnResponse = Keep });
    }

    // Every response is kept for this client's scans; under the test command, every problem body also goes to the run
    // directory, where the leak scan reads it (a problem never carries a secret).
    private void Keep(KeywardResponse response)
    {
        _seen.Enqueue(response);
        if (response.MediaType == "application/problem+json")
        {
            TestRun.Append("problems", "problems.jsonl", response.Body.ReplaceLineEndings(" "));
        }
    }

    /// <summary>The Keyward this client talks to.</summary>
    public IKeywardEndpoint Endpoint { get; }

    /// <summary>Headers every request of this client sends (e.g. a browser's User-Agent).</summary>
    public System.Net.Http.Headers.HttpRequestHeaders DefaultHeaders => _http.DefaultRequestHeaders;

    /// <summary>The one client underneath.</summary>
    public KeywardClient Client { get; }

    /// <summary>The client's default key.</summary>
    public VirtualAuthenticator Key { get; }

    /// <summary>Keyward's public origin (what the key signs for, and the Origin pages send).</summary>
    public string Origin => Client.Origin;

    /// <summary>The account <see cref="LoginAsync()"/> signs in to: the one <see cref="RegisterAdminAsync"/> made.</summary>
    public string AccountName { get; set; } = "admin";

    /// <summary>Every response this client received, in order.</summary>
    public IReadOnlyCollection<KeywardResponse> Seen => _seen;

    /// <summary>The bodies of every response this client received.</summary>
    public IReadOnlyList<string> Bodies => [.. _seen.Select(r => r.Body)];

    public static VirtualAuthenticator NewKey(VirtualAuthenticatorOptions? options = null) => VirtualAuthenticator.Create(options);

    /// <summary>
    /// Any request, answered as it is: a JSON body, a Bearer token, an Origin header (as a page at that origin would
    /// send), then <paramref name="configure"/>.
    /// </summary>
    public Task<KeywardResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null, string? token = null, Action<HttpRequestMessage>? configure = null, string? origin = null) =>
        Client.SendAsync(method, path, body, token, request =>
        {
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            configure?.Invoke(request);
        });

    public Task<KeywardResponse> PostAsync(string path, JsonNode? body = null, string? token = null) => SendAsync(HttpMethod.Post, path, body ?? new JsonObject(), token);

    public Task<KeywardResponse> GetAsync(string path, string? token = null, Action<HttpRequestMessage>? configure = null) => SendAsync(HttpMethod.Get, path, null, token, configure);

    public Task<KeywardResponse> DeleteAsync(string path, string? token = null) => SendAsync(HttpMethod.Delete, path, null, token);

    public Task<KeywardResponse> StatusAsync(string? token) => PostAsync(KeywardPaths.Status, token: token);

    public Task<KeywardResponse> LogoutAsync(string? token) => PostAsync(KeywardPaths.Logout, token: token);

    /// <summary>Ends another session of the same account (<c>DELETE /session/{id}</c>).</summary>
    public Task<KeywardResponse> RevokeAsync(TestSession from, Guid sessionId) => DeleteAsync($"/session/{sessionId}", from?.Token);

    public Task<KeywardResponse> ProxyAsync(string path, string? token, Action<HttpRequestMessage>? configure = null) => GetAsync(path, token, configure);

    /// <summary>Creates an invite as the admin signed in with <see cref="Key"/>, performing the admin step-up first when Keyward asks for it.</summary>
    public async Task<string> CreateInviteAsync(string adminToken, string accountName, string role) =>
        (await Client.WithStepUpAsync(Key, adminToken, () => Client.CreateInviteAsync(adminToken, accountName, role))).Invite;

    /// <summary>Performs a step-up for the session with <paramref name="key"/> (<see cref="Key"/> when null), a key of its account.</summary>
    public Task<StepUpResult> StepUpAsync(string token, string purpose, string? target = null, VirtualAuthenticator? key = null) =>
        Client.StepUpAsync(key ?? Key, token, purpose, target);

    public void Dispose() => _http.Dispose();
}
