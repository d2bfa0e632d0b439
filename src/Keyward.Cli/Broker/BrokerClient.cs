using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyward.Authenticator;

namespace Keyward.Cli.Broker;

/// <summary>
/// Talks to a Keyward server over HTTPS on behalf of the CLI: registration and sign-in ceremonies with a virtual
/// key, session calls with a Bearer token. Trusts only the given CA when one is given.
/// </summary>
internal sealed class BrokerClient : IDisposable
{
    private readonly HttpClient _http;

    public BrokerClient(Uri server, string? caFile)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 };
        if (caFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        _http = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        Origin = server.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>The origin the virtual key signs for.</summary>
    public string Origin { get; }

    /// <summary>Registers the key: the first admin with a setup code, or a new account with an invite.</summary>
    public async Task<JsonObject> RegisterAsync(VirtualAuthenticator key, string? setupCode, string? invite, string? username, string keyName, CancellationToken cancellationToken)
    {
        var begin = await PostAsync("/api/register/begin", new JsonObject { ["setup_code"] = setupCode, ["invite"] = invite, ["username"] = username, ["key_name"] = keyName }, null, cancellationToken).ConfigureAwait(false);
        var credential = key.MakeCredential(begin["public_key"]!.ToJsonString(), Origin);
        return await PostAsync("/api/register/finish", new JsonObject
        {
            ["ceremony_id"] = begin["ceremony_id"]!.GetValue<string>(),
            ["credential"] = JsonNode.Parse(credential),
            ["setup_code"] = setupCode,
            ["invite"] = invite,
        }, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs in; returns the login response (session_token, expires_at, idle_expires_at, account).</summary>
    public async Task<JsonObject> LoginAsync(VirtualAuthenticator key, string? username, CancellationToken cancellationToken)
    {
        var begin = await PostAsync("/session/login/begin", new JsonObject { ["username"] = username }, null, cancellationToken).ConfigureAwait(false);
        var credential = key.GetAssertion(begin["public_key"]!.ToJsonString(), Origin);
        return await PostAsync("/session/login/finish", new JsonObject
        {
            ["ceremony_id"] = begin["ceremony_id"]!.GetValue<string>(),
            ["credential"] = JsonNode.Parse(credential),
        }, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>POSTs JSON and returns the JSON answer; a problem+json answer becomes a <see cref="BrokerException"/>.</summary>
    public async Task<JsonObject> PostAsync(string path, JsonObject? body, string? token, CancellationToken cancellationToken)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, path, body, token, cancellationToken).ConfigureAwait(false);
        return (int)status is >= 200 and < 300 ? json : throw new BrokerException(status, json);
    }

    /// <summary>Sends a request and returns the status and JSON body (an empty object when there is none).</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body, string? token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonObject json;
        try
        {
            json = string.IsNullOrWhiteSpace(text) ? [] : JsonNode.Parse(text) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            json = new JsonObject { ["detail"] = "the server answered with something other than JSON" };
        }

        return (response.StatusCode, json);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A refused request, with the server's problem code and detail (never a secret).</summary>
internal sealed class BrokerException(HttpStatusCode status, JsonObject problem)
    : Exception($"{(int)status} {problem["code"]?.GetValue<string>() ?? "error"}: {problem["detail"]?.GetValue<string>() ?? "no detail"}")
{
    public HttpStatusCode Status { get; } = status;

    public string? Code { get; } = problem["code"]?.GetValue<string>();
}
