using System.Text.Json.Serialization;

namespace Keyward.Client;

/// <summary>An invite an admin created (<c>/api/admin/invites</c>).</summary>
/// <param name="Invite">The single-use <c>kwi_…</c> invite. A secret: hand it to the invitee only.</param>
/// <param name="AccountName">The account it creates.</param>
/// <param name="Role">That account's role.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record CreatedInvite(
    [property: JsonPropertyName("invite")] string Invite,
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt)
{
    /// <summary>Never prints the invite.</summary>
    public override string ToString() => $"invite for {AccountName} ({Role}) until {ExpiresAt:O}";
}
