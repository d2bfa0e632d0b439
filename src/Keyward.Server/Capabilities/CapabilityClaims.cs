namespace Keyward.Server.Capabilities;

/// <summary>The capability token's header type and claim names (docs/capabilities.md, "Tokens").</summary>
internal static class CapabilityClaims
{
    /// <summary>The header <c>typ</c>: never an identity assertion's (<c>kw-id+jwt</c>).</summary>
    public const string Type = "kw-cap+jwt";

    /// <summary>The audience every capability names: the vault.</summary>
    public const string Audience = "keyward-vault";

    public const string Tenant = "tenant";
    public const string Operator = "operator";
    public const string ActorKind = "actor_kind";
    public const string Operation = "op";
    public const string DataClass = "data_class";
    public const string Path = "path";
    public const string Scope = "scope";
    public const string ScopeNonce = "scope_nonce";
}
