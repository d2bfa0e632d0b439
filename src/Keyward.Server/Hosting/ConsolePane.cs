using System.Text.Json.Serialization;

namespace Keyward.Server.Hosting;

/// <summary>
/// One pane of the web console, read from <c>wwwroot/console/panes/{id}/pane.json</c>: its title, its place in the
/// navigation, the roles it is shown to (the page's choice only: every action in it is decided by the API), and where
/// its module and optional stylesheet are.
/// </summary>
internal sealed record ConsolePane(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("order")] int Order,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("module")] string Module,
    [property: JsonPropertyName("stylesheet")] string? Stylesheet);
