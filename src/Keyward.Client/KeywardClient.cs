using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Keyward.Client;

/// <summary>
/// The one client of Keyward's HTTP API: registers keys and signs in with a virtual security key (both WebAuthn
/// ceremonies), checks and ends sessions, creates invites, mints WebSocket tickets, and makes authenticated calls with
/// the session's Bearer token. The caller supplies the <see cref="HttpClient"/> (its base address is Keyward's, its
/// handler decides TLS trust, see <see cref="CaTrust"/>) and keeps ownership of it.
/// </summary>
/// <remarks>
/// Typed calls return the answer as a record, or throw <see cref="KeywardProblemException"/> carrying the
/// problem+json code when Keyward refuses; <see cref="SendAsync"/> returns any answer as it is.
/// </remarks>
public sealed partial class KeywardClient
{
    private readonly HttpClient _http;
    private readonly Action<KeywardResponse>? _onResponse;

    /// <summary>A client that talks to Keyward through <paramref name="http"/> (whose base address must be set).</summary>
    public KeywardClient(HttpClient http, KeywardClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var baseAddress = http.BaseAddress ?? throw new ArgumentException("The HttpClient needs a BaseAddress: Keyward's address.", nameof(http));
        _http = http;
        _onResponse = options?.OnResponse;
        Origin = options?.Origin ?? baseAddress.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>Keyward's public origin: the origin the key signs for, and the Origin a page on Keyward sends.</summary>
    public string Origin { get; }

    /// <summary>The HttpClient this client sends through.</summary>
    public HttpClient Http => _http;

    /// <summary>
    /// Sends one request and returns the answer whatever its status: a JSON <paramref name="body"/> when given, the
    /// session <paramref name="token"/> as <c>Authorization: Bearer</c> when given, then <paramref name="configure"/>.
    /// </summary>
    public async Task<KeywardResponse> SendAsync(
        HttpMethod method, string path, JsonNode? body = null, string? token = null, Action<HttpRequestMessage>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
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
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var result = new KeywardResponse(method, path, response, text);
        _onResponse?.Invoke(result);
        return result;
    }

    /// <summary>An authenticated POST with the session's Bearer token (no body unless given); the answer as it is.</summary>
    public Task<KeywardResponse> PostAsync(string path, string? token, JsonNode? body = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, path, body, token, null, cancellationToken);

    private static T Read<T>(KeywardResponse response, JsonTypeInfo<T> type)
    {
        response.EnsureSuccess();
        try
        {
            return response.Json.Deserialize(type) ?? throw new KeywardProblemException($"{response.Method} {response.Path} answered {response.StatusCode} with an empty answer.");
        }
        catch (JsonException e)
        {
            throw new KeywardProblemException($"{response.Method} {response.Path} answered {response.StatusCode} with an answer this client does not understand.", e);
        }
    }

    private static CeremonyChallenge ReadChallenge(KeywardResponse response)
    {
        response.EnsureSuccess();
        try
        {
            return new CeremonyChallenge(response.Json.GetProperty("ceremony_id").GetGuid(), response.Json.GetProperty("public_key").GetRawText());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new KeywardProblemException($"{response.Method} {response.Path} answered {response.StatusCode} without a ceremony.", e);
        }
    }

    private static void AddIfSet(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }
}
