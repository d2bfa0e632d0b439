using System.Text.Json.Serialization;

namespace Keyward.Server.Sessions;

/// <summary>POST /session/logout.</summary>
/// <param name="Ended">Always true.</param>
internal sealed record LogoutResponse(
    [property: JsonPropertyName("ended")] bool Ended);
