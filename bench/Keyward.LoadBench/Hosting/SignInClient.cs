using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.LoadBench.Hosting;

/// <summary>
/// Registers a virtual key with the setup code and signs in with it, over HTTPS with the bench CA as the only
/// root — the same two ceremonies <c>keyward register</c> and <c>keyward login</c> run.
/// </summary>
internal sealed class SignInClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _origin;

    public SignInClient(Uri origin, string caFile)
    {
        var handler = new SocketsHttpHandler { UseCookies = false };
        handler.SslOptions.RemoteCertificateValidationCallback = CaTrust.Only(caFile);
        _http = new HttpClient(handler) { BaseAddress = origin, Timeout = TimeSpan.FromSeconds(30) };
        _origin = origin.GetLeftPart(UriPartial.Authority);
    }

    public async Task RegisterAsync(VirtualAuthenticator key, string setupCode, string username, CancellationToken cancellationToken)
    {
        var begin = await PostAsync("/api/register/begin", new JsonObject { ["setup_code"] = setupCode, ["username"] = username, ["key_name"] = "load bench" }, cancellationToken);
        var credential = key.MakeCredential(begin["public_key"]!.ToJsonString(), _origin);
        await PostAsync("/api/register/finish", new JsonObject
        {
            ["ceremony_id"] = begin["ceremony_id"]!.GetValue<string>(),
            ["credential"] = JsonNode.Parse(credential),
            ["setup_code"] = setupCode,
        }, cancellationToken);
    }

    /// <summary>Signs in and returns the <c>kws_</c> session token.</summary>
    public async Task<string> LoginAsync(VirtualAuthenticator key, string username, CancellationToken cancellationToken)
    {
        var begin = await PostAsync("/session/login/begin", new JsonObject { ["username"] = username }, cancellationToken);
        var credential = key.GetAssertion(begin["public_key"]!.ToJsonString(), _origin);
        var login = await PostAsync("/session/login/finish", new JsonObject
        {
            ["ceremony_id"] = begin["ceremony_id"]!.GetValue<string>(),
            ["credential"] = JsonNode.Parse(credential),
        }, cancellationToken);
        return login["session_token"]!.GetValue<string>();
    }

    private async Task<JsonObject> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(path, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException($"{path} answered something other than a JSON object");
    }

    public void Dispose() => _http.Dispose();
}
