namespace Keyward.Server.Capabilities;

/// <summary>The actor plane's authentication scheme (<c>/actor/v1</c>).</summary>
internal static class ActorAuthenticationDefaults
{
    /// <summary>The scheme: <c>Authorization: Bearer kwv_…</c> and nothing else.</summary>
    public const string Scheme = "keyward-actor";

    /// <summary>The policy of <c>/actor/v1</c>.</summary>
    public const string Policy = Http.AuthorizationPolicies.ActorKey;
}
