namespace Keyward.Core.Capabilities;

/// <summary>
/// A scope: <see cref="ActorId"/> may perform <see cref="Operations"/> on <see cref="DataClasses"/> under
/// <see cref="Prefixes"/>, on the authority of <see cref="OperatorId"/>. Granted or widened only by an applied approval.
/// </summary>
/// <param name="Id">The scope's id.</param>
/// <param name="TenantId">Its tenant.</param>
/// <param name="OperatorId">The account on whose authority it was granted.</param>
/// <param name="ActorId">The actor (a machine id or a service identity id).</param>
/// <param name="ActorKind">What kind of actor.</param>
/// <param name="Operations">The operations it allows (<see cref="CapabilityOperations"/>).</param>
/// <param name="DataClasses">The data classes it covers.</param>
/// <param name="Prefixes">The path prefixes it covers (<see cref="ScopeRules.Covers"/>).</param>
/// <param name="GrantedAt">When it was granted.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record CapabilityScope(
    Guid Id,
    string TenantId,
    Guid OperatorId,
    Guid ActorId,
    CapabilityActorKind ActorKind,
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> DataClasses,
    IReadOnlyList<string> Prefixes,
    DateTimeOffset GrantedAt,
    DateTimeOffset? RevokedAt);
