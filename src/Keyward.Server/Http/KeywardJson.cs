using System.Text.Encodings.Web;
using System.Text.Json;

namespace Keyward.Server.Http;

/// <summary>
/// How Keyward writes JSON answers: <c>+</c> (timestamps' offsets, <c>kw-id+jwt</c>) and non-ASCII characters as
/// themselves, not <c>\u002B</c>. The default encoder escapes them in case the JSON is pasted into an HTML page;
/// Keyward's JSON never is: every answer is <c>application/json</c> (or problem+json) sent with
/// <c>X-Content-Type-Options: nosniff</c>, so a browser never reads one as HTML.
/// </summary>
internal static class KeywardJson
{
    /// <summary>The encoder for every JSON answer and for the assertion's JOSE header.</summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>A copy of a source-generated context's options with <see cref="Encoder"/>, for that context's <c>Relaxed</c> instance.</summary>
    public static JsonSerializerOptions Relaxed(JsonSerializerOptions generated) => new(generated) { Encoder = Encoder, TypeInfoResolver = null };
}
