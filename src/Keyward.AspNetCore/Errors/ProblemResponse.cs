using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Keyward.AspNetCore;

/// <summary>
/// Writes a refusal as RFC 9457 problem+json: <c>type</c> <c>https://keyward.dev/problems/&lt;code&gt;</c> (the broker's own scheme; a contract test
/// in Keyward.Server.Tests holds the two together), <c>title</c> the status phrase,
/// <c>status</c>, <c>detail</c> the plain message from <see cref="KeywardAssertionErrors"/>, and the stable <c>code</c>.
/// Nothing from the request is echoed.
/// </summary>
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";

    /// <summary>The prefix of every problem <c>type</c>: an identifier followed by the code.</summary>
    public const string TypePrefix = "https://keyward.dev/problems/";

    public static async Task WriteAsync(HttpResponse response, KeywardAssertionErrorCode error)
    {
        var status = KeywardAssertionErrors.Status(error);
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypePrefix + KeywardAssertionErrors.Code(error));
            writer.WriteString("title", ReasonPhrases.GetReasonPhrase(status));
            writer.WriteNumber("status", status);
            writer.WriteString("detail", KeywardAssertionErrors.Message(error));
            writer.WriteString("code", KeywardAssertionErrors.Code(error));
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).ConfigureAwait(false);
    }
}
