using System.Net.Http.Headers;
using System.Text.Json;

namespace Keyward.Client;

/// <summary>
/// One answer from Keyward as received: the status, the headers and the whole body (read once, the response then
/// released). For the raw calls that a caller inspects itself, such as a refusal's problem <see cref="Code"/>.
/// </summary>
public sealed class KeywardResponse
{
    private const string ProblemMediaType = "application/problem+json";

    private JsonElement? _json;
    private bool? _isJson;

    /// <summary>Records a response whose body has been read.</summary>
    public KeywardResponse(HttpMethod method, string path, HttpResponseMessage response, string body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(response);
        Method = method;
        Path = path;
        StatusCode = (int)response.StatusCode;
        Headers = response.Headers;
        ContentHeaders = response.Content.Headers;
        Body = body ?? string.Empty;
    }

    /// <summary>The request's method.</summary>
    public HttpMethod Method { get; }

    /// <summary>The request's path (and query), as the caller gave it.</summary>
    public string Path { get; }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>True for a 2xx status.</summary>
    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    /// <summary>The response headers.</summary>
    public HttpResponseHeaders Headers { get; }

    /// <summary>The content headers (Content-Type and the like).</summary>
    public HttpContentHeaders ContentHeaders { get; }

    /// <summary>The body as text (empty when there was none).</summary>
    public string Body { get; }

    /// <summary>The body's media type, such as <c>application/json</c> or <c>application/problem+json</c>.</summary>
    public string? MediaType => ContentHeaders.ContentType?.MediaType;

    /// <summary>True when the body parses as JSON.</summary>
    public bool IsJson
    {
        get
        {
            if (_isJson is null)
            {
                try
                {
                    _json = JsonDocument.Parse(Body).RootElement.Clone();
                    _isJson = true;
                }
                catch (JsonException)
                {
                    _isJson = false;
                }
            }

            return _isJson.Value;
        }
    }

    /// <summary>The body as JSON; throws <see cref="JsonException"/> when it is not JSON.</summary>
    public JsonElement Json => IsJson ? _json!.Value : throw new JsonException($"{Method} {Path} answered {StatusCode} with a body that is not JSON.");

    /// <summary>The RFC 9457 problem's stable <c>code</c>, or null when the body is not a problem.</summary>
    public string? Code => MediaType == ProblemMediaType && IsJson && Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("code", out var code) ? code.GetString() : null;

    /// <summary>The problem's <c>detail</c> (Keyward's plain message), or null when the body is not a problem.</summary>
    public string? Detail => MediaType == ProblemMediaType && IsJson && Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("detail", out var detail) ? detail.GetString() : null;

    /// <summary>
    /// For a <c>step_up_required</c> problem: the step-up purpose and target Keyward asks for (<c>step_up</c>); null
    /// otherwise.
    /// </summary>
    public (string Purpose, string? Target)? StepUp =>
        MediaType == ProblemMediaType && IsJson && Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("step_up", out var hint)
        && hint.ValueKind == JsonValueKind.Object && hint.TryGetProperty("purpose", out var purpose) && purpose.GetString() is { } p
            ? (p, hint.TryGetProperty("target", out var target) && target.ValueKind == JsonValueKind.String ? target.GetString() : null)
            : null;

    /// <summary>A string property of the JSON body; throws when it is missing.</summary>
    public string GetString(string name) => Json.GetProperty(name).GetString() ?? throw new JsonException($"{Method} {Path}: \"{name}\" is null.");

    /// <summary>Returns this response when it succeeded; otherwise throws a <see cref="KeywardProblemException"/> with its code.</summary>
    public KeywardResponse EnsureSuccess() => IsSuccess ? this : throw new KeywardProblemException(this);

    /// <summary>The method, path, status and body, for test and diagnostic output.</summary>
    public override string ToString() => $"{Method} {Path} -> {StatusCode} {Body}";
}
