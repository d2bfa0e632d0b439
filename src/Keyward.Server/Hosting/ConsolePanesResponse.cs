using System.Text.Json.Serialization;

namespace Keyward.Server.Hosting;

/// <summary>GET /console/panes.json: the console's panes, in navigation order.</summary>
internal sealed record ConsolePanesResponse([property: JsonPropertyName("panes")] IReadOnlyList<ConsolePane> Panes);
