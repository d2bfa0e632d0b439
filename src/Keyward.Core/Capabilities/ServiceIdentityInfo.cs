namespace Keyward.Core.Capabilities;

/// <summary>A service identity as the API shows it (never its key or the key's hash).</summary>
/// <param name="Id">Its id, the actor id its scopes and capabilities name.</param>
/// <param name="TenantId">Its tenant.</param>
/// <param name="Label">What the admin called it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">The admin who created it.</param>
/// <param name="RevokedAt">When its key was revoked, if it was.</param>
public sealed record ServiceIdentityInfo(Guid Id, string TenantId, string Label, DateTimeOffset CreatedAt, Guid CreatedBy, DateTimeOffset? RevokedAt);
