using System.Text.Json.Serialization;

namespace Keyward.Server.Support;

/// <summary>POST /api/support/sessions/{id}/join: a single-use join token for that session's viewer socket, shown once.</summary>
internal sealed record JoinResponse(
    [property: JsonPropertyName("join_token")] string JoinToken,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("viewer_path")] string ViewerPath)
{
    // Never print the token.
    public override string ToString() => $"join token for {ViewerPath}";
}
