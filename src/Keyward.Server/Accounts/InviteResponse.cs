using System.Text.Json.Serialization;

namespace Keyward.Server.Accounts;

/// <summary>POST /api/admin/invites. Carries the invite: never cached.</summary>
/// <param name="Invite">The kwi_ invite (shown once).</param>
/// <param name="AccountName">The account it registers.</param>
/// <param name="Role">The role it grants.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="Reenroll">Whether it registers a new key for an existing account.</param>
/// <param name="Link">The sign-in page with the invite in its fragment (<c>/#invite=kwi_…</c>: a fragment is never sent to a server).</param>
/// <param name="Qr">The QR code of <paramref name="Link"/>, for a phone.</param>
internal sealed record InviteResponse(
    [property: JsonPropertyName("invite")] string Invite,
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("reenroll")] bool Reenroll,
    [property: JsonPropertyName("link")] string Link,
    [property: JsonPropertyName("qr")] InviteQrCode Qr)
{
    /// <summary>Never the invite (a credential).</summary>
    public override string ToString() => $"Invite for {AccountName} ({Role}), expires {ExpiresAt:O}";
}
