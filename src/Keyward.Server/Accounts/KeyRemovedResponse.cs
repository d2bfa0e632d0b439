using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>DELETE /api/keys/{id}.</summary>
/// <param name="Removed">Always true.</param>
/// <param name="SessionsEnded">How many sessions the key had opened and are now ended.</param>
internal sealed record KeyRemovedResponse(
    [property: JsonPropertyName("removed")] bool Removed,
    [property: JsonPropertyName("sessions_ended")] int SessionsEnded);
