using System.Text.Json.Serialization;

namespace Keyward.Server.Support;

/// <summary>GET /api/support/sessions: open support sessions, newest first.</summary>
internal sealed record SupportSessionsResponse([property: JsonPropertyName("sessions")] IReadOnlyList<SupportSessionResponse> Sessions);
