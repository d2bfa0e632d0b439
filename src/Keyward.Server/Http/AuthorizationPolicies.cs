namespace Keyward.Server.Http;

/// <summary>
/// The authorization policies, one per plane, registered in one place (<c>AddKeywardAuthorization</c>). Every endpoint
/// names one of them or <c>AllowAnonymous</c>; an endpoint that names neither is refused by the fallback policy.
/// </summary>
internal static class AuthorizationPolicies
{
    /// <summary>A valid session (the session plane: <c>kws_</c> as Bearer or the session cookie).</summary>
    public const string Session = "keyward:session";

    /// <summary>A valid session of an admin.</summary>
    public const string Admin = "keyward:admin";

    /// <summary>The agent plane: a live agent key (<c>kwa_</c>) and nothing else (<c>/agent/v1/connect</c>).</summary>
    public const string AgentKey = "keyward:agent";

    /// <summary>The agent plane's enrollment: an enroll token (<c>kwe_</c>) and nothing else (<c>/agent/v1/enroll</c> only).</summary>
    public const string AgentEnroll = "keyward:agent-enroll";

    /// <summary>The actor plane: a live service key (<c>kwv_</c>) and nothing else (<c>/actor/v1</c>).</summary>
    public const string ActorKey = "keyward:actor";

    /// <summary>The prefix of a proxied route's policy.</summary>
    public const string RoutePrefix = "keyward:route:";

    /// <summary>The policy of a proxied route.</summary>
    public static string Route(string routeId) => RoutePrefix + routeId;
}
