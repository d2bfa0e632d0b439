using System.Text.Json;

namespace Keyward.Server.Http;

/// <summary>
/// The one writer of RFC 9457 problem+json: <c>type</c> <c>https://keyward.dev/problems/&lt;code&gt;</c> (an identifier,
/// the same scheme Keyward.AspNetCore uses; a contract test holds the two together), <c>title</c>, <c>status</c>,
/// <c>detail</c> and the stable <c>code</c>, all from a <see cref="KeywardError"/>. Never carries a secret or exception
/// text, and is never cached.
/// </summary>
internal static class Problems
{
    public const string ContentType = "application/problem+json";

    /// <summary>The prefix of every problem <c>type</c>.</summary>
    public const string TypePrefix = "https://keyward.dev/problems/";

    /// <summary>A result that writes the problem.</summary>
    public static IResult Result(KeywardError error) => new ProblemResult(error);

    /// <summary>Writes the problem to the response now.</summary>
    public static async Task WriteAsync(HttpContext context, KeywardError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";

        // Written without HTML escaping (KeywardJson), from whichever middleware refuses first: never sniffed as HTML.
        response.Headers.XContentTypeOptions = "nosniff";
        var body = new ProblemResponse(TypePrefix + error.Code, Title(error.Status), error.Status, error.Message, error.Code, error.StepUp);
        await JsonSerializer.SerializeAsync(response.Body, body, HttpJsonContext.Relaxed.ProblemResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Content too large",
        415 => "Unsupported media type",
        421 => "Misdirected request",
        429 => "Too many requests",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Error",
    };

    private sealed class ProblemResult(KeywardError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error);
    }
}
