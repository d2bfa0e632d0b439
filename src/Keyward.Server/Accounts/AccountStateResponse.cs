using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>POST /api/admin/accounts/{name}/disable and /enable.</summary>
/// <param name="Account">The account.</param>
/// <param name="Disabled">Whether it is now disabled.</param>
/// <param name="Changed">False when it was already in that state.</param>
/// <param name="SessionsEnded">How many of its sessions this call ended (0 on enable).</param>
internal sealed record AccountStateResponse(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("changed")] bool Changed,
    [property: JsonPropertyName("sessions_ended")] int SessionsEnded);
