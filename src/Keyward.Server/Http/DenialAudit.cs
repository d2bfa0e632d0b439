namespace Keyward.Server.Http;

/// <summary>
/// Endpoint metadata naming how a refused request to it is audited (the proxy slice marks its routes
/// <c>proxy.denied</c> with the route id). Endpoints without it are audited as <c>access.denied</c> with their path.
/// </summary>
/// <param name="Action">The audit action.</param>
/// <param name="Target">The audit target.</param>
internal sealed record DenialAudit(string Action, string Target);
