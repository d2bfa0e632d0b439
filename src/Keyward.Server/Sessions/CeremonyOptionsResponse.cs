using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>The options of a WebAuthn ceremony (login/begin, register/begin).</summary>
/// <param name="CeremonyId">The ceremony to finish.</param>
/// <param name="PublicKey">The options for navigator.credentials (WebAuthn JSON).</param>
internal sealed record CeremonyOptionsResponse(
    [property: JsonPropertyName("ceremony_id")] Guid CeremonyId,
    [property: JsonPropertyName("public_key")] CeremonyOptionsJson PublicKey);

/// <summary>
/// A ceremony's options as Keyward.WebAuthn wrote them (one JSON object), written into the answer as they are: not parsed
/// into a <see cref="JsonElement"/> only to be written out again (issue 15). Read back (a client, a test) it is the same
/// object's text.
/// </summary>
[JsonConverter(typeof(CeremonyOptionsJsonConverter))]
internal sealed class CeremonyOptionsJson(string json)
{
    /// <summary>The options' JSON text.</summary>
    public string Json { get; } = json ?? throw new ArgumentNullException(nameof(json));

    /// <summary>The options' JSON text (as <see cref="JsonElement.GetRawText"/> gave it).</summary>
    public string GetRawText() => Json;

    /// <inheritdoc/>
    public override string ToString() => Json;
}

/// <summary>Writes <see cref="CeremonyOptionsJson"/> as the JSON it holds; reads any JSON value as its text.</summary>
internal sealed class CeremonyOptionsJsonConverter : JsonConverter<CeremonyOptionsJson>
{
    /// <inheritdoc/>
    public override CeremonyOptionsJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(JsonElement.ParseValue(ref reader).GetRawText());

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, CeremonyOptionsJson value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);

        // Text with no escape is written as it is, validated as it is copied (no allocation): the same bytes a parse and
        // a re-write gave, since Keyward.WebAuthn writes no whitespace. Text with one (a non-ASCII or '+' in a name, which
        // Keyward.WebAuthn's writer escapes) is re-written through this writer, whose encoder answers them unescaped.
        if (value.Json.Contains('\\', StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(value.Json);
            document.RootElement.WriteTo(writer);
            return;
        }

        writer.WriteRawValue(value.Json, skipInputValidation: false);
    }
}
