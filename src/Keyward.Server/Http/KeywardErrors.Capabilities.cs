using Keyward.Core.Capabilities;

namespace Keyward.Server.Http;

internal static partial class KeywardErrors
{
    // Actors, scopes and capability tokens (docs/capabilities.md).
    public static readonly KeywardError ServiceKeyInvalid = new("service_key_invalid", 401, "The actor plane (/actor/v1) takes only a live service key, Authorization: Bearer kwv_…. The key is malformed, unknown, or of another kind.");
    public static readonly KeywardError ServiceKeyRevoked = new("service_key_revoked", 401, "An admin revoked this service identity's key. Ask an admin for a new service identity.");
    public static readonly KeywardError ServiceKeyStoreUnavailable = new("service_key_store_unavailable", 503, "Keyward could not read its service keys, so it refused the request (it fails closed). Try again; if it persists, an operator should check the database.");
    public static readonly KeywardError ActorRequestInvalid = new("actor_request_invalid", 400, "label is 1 to 200 characters with no control or bidi-format characters.");
    public static readonly KeywardError ActorNotFound = new("actor_not_found", 404, "No service identity has that id.");
    public static readonly KeywardError ScopeRequestInvalid = new("scope_request_invalid", 400, "actor_id names an active actor, actor_kind is \"agent\" or \"service\", operations lists read, write, list or delete, data_classes lists defined data classes, and prefixes lists 1 to 20 secret paths.");
    public static readonly KeywardError ScopeNotFound = new("scope_not_found", 404, "No scope has that id.");
    public static readonly KeywardError ScopeProposalRefused = new("scope_proposal_refused", 409, "The approval request could not be proposed.");
    public static readonly KeywardError CapRequestInvalid = new("cap_request_invalid", 400, "operation is read, write, list or delete; data_class is a defined data class; path is a secret path (segments of A-Z a-z 0-9 . _ - separated by single '/'); operator, when given, is an account name or id.");
    public static readonly KeywardError CapScopeMissing = new("cap_scope_missing", 403, "No live scope of this actor allows that operation on that data class at that path. An operator must propose a scope and approvers must approve it.");
    public static readonly KeywardError CapOperatorAmbiguous = new("cap_operator_ambiguous", 400, "This actor has scopes from more than one operator: name the operator (account name or id) in the request.");
    public static readonly KeywardError CapInvalid = new("cap_invalid", 401, "The vault plane takes only Authorization: Bearer <capability token> (never a session, agent or service key): the token is missing or malformed, not a capability (wrong typ), signed by an unknown key, or its signature does not verify. Mint a new one at the capability endpoint.");
    public static readonly KeywardError CapExpired = new("cap_expired", 401, "The capability token expired. Mint a new one.");
    public static readonly KeywardError CapScopeRevoked = new("cap_scope_revoked", 403, "The scope this capability was minted under was revoked (or its actor was). Mint a new one once a scope allows it.");

    /// <summary>The refusal for a service key that failed its check.</summary>
    public static KeywardError From(ServiceKeyFailure failure) => failure == ServiceKeyFailure.Revoked ? ServiceKeyRevoked : ServiceKeyInvalid;

    /// <summary>The refusal for a mint no scope allows.</summary>
    public static KeywardError From(MintFailure failure) => failure switch
    {
        MintFailure.ScopeMissing => CapScopeMissing,
        MintFailure.OperatorAmbiguous => CapOperatorAmbiguous,
        _ => CapRequestInvalid,
    };

    /// <summary>The refusal for a verifier's code (<see cref="CapabilityCheck.ErrorCode"/>).</summary>
    public static KeywardError FromCapabilityCode(string? code) =>
        code == CapExpired.Code ? CapExpired : code == CapScopeRevoked.Code ? CapScopeRevoked : CapInvalid;
}
