using System.Net.Http.Headers;
using System.Text.Json;

namespace Keyward.Server.Tests.Infrastructure;

/// <summary>A response as the test saw it: status, headers and the whole body, read once.</summary>
internal sealed class ApiResponse
{
    private JsonElement? _json;

    public ApiResponse(HttpMethod method, string path, HttpResponseMessage response, string body)
    {
        ArgumentNullException.ThrowIfNull(response);
        Method = method;
        Path = path;
        StatusCode = (int)response.StatusCode;
        Headers = response.Headers;
        ContentHeaders = response.Content.Headers;
        Body = body;
    }

    public HttpMethod Method { get; }

    public string Path { get; }

    public int StatusCode { get; }

    public HttpResponseHeaders Headers { get; }

    public HttpContentHeaders ContentHeaders { get; }

    public string Body { get; }

    public string? MediaType => ContentHeaders.ContentType?.MediaType;

    /// <summary>The body as JSON (throws when it is not JSON).</summary>
    public JsonElement Json => _json ??= JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The problem+json <c>code</c>, or null when the body is not a problem.</summary>
    public string? Code =>
        MediaType == "application/problem+json" && Json.TryGetProperty("code", out var code) ? code.GetString() : null;

    public string String(string name) => Json.GetProperty(name).GetString()!;

    public override string ToString() => $"{Method} {Path} -> {StatusCode} {Body}";
}
