using Microsoft.AspNetCore.Http.HttpResults;

namespace Keyward.Server.Endpoints;

/// <summary>RFC 9457 problem details with a stable <c>code</c>. Never carries a secret or exception text.</summary>
internal static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: Title(status), type: $"https://keyward.dev/problems/{code}", extensions: new Dictionary<string, object?> { ["code"] = code });

    public static Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new Dictionary<string, object?>
            {
                ["type"] = $"https://keyward.dev/problems/{code}",
                ["title"] = Title(status),
                ["status"] = status,
                ["detail"] = detail,
                ["code"] = code,
            },
            (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json");
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "Error",
    };
}
