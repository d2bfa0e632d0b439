using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>POST /session/login/begin.</summary>
internal sealed record LoginBeginRequest([property: JsonPropertyName("username")] string? Username);
