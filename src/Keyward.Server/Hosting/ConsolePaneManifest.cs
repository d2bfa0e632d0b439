using System.Text.Json.Serialization;

namespace Keyward.Server.Hosting;

/// <summary>A pane folder's <c>pane.json</c> as written: <c>{"title": "Support", "order": 20, "roles": ["user", "admin"]}</c>.</summary>
internal sealed record ConsolePaneManifest(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("order")] int? Order,
    [property: JsonPropertyName("roles")] IReadOnlyList<string>? Roles);
