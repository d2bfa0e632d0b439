namespace Keyward.Server.Agents;

/// <summary>The agent plane's authentication scheme and the claim that says which credential it accepted.</summary>
internal static class AgentAuthenticationDefaults
{
    /// <summary>The scheme: <c>Authorization: Bearer kwa_…</c> (or <c>kwe_…</c> at enrollment) and nothing else.</summary>
    public const string Scheme = "keyward-agent";

    /// <summary>The claim naming the accepted credential's kind: <c>kwa_</c> or <c>kwe_</c>.</summary>
    public const string CredentialClaim = "keyward:credential";

    /// <summary>The credential claim's value for an ad-hoc agent bound with a support code.</summary>
    public const string SupportCodeCredential = "support-code";
}
