using Keyward.Core.Capabilities;
using Keyward.Server.Agents;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Capabilities;

/// <summary>
/// The capability slice's endpoints (docs/capabilities.md): the capability JWKS; the actor plane <c>/actor/v1</c>
/// (a service key and nothing else) with <c>GET /identity</c> and <c>POST /capabilities</c>; the agents' mint
/// <c>POST /agent/v1/capabilities</c> (an agent key and nothing else); and the admin API for actors and scopes.
/// </summary>
internal static class CapabilityEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/keyward/capability-jwks.json", (CapabilityKeyStore keys, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Content(keys.Jwks, "application/json");
        }).AllowAnonymous().Produces(StatusCodes.Status200OK, contentType: "application/json");

        var actor = app.MapGroup("/actor/v1").RequireAuthorization(ActorAuthenticationDefaults.Policy);
        actor.MapGet("/identity", Identity).Produces<ActorIdentityResponse>().Refuses(KeywardErrors.ServiceKeyInvalid, KeywardErrors.ServiceKeyRevoked);
        actor.MapPost("/capabilities", MintForServiceAsync).Produces<MintResponse>()
            .Refuses(KeywardErrors.ServiceKeyInvalid, KeywardErrors.ServiceKeyRevoked, KeywardErrors.CapRequestInvalid, KeywardErrors.CapScopeMissing, KeywardErrors.CapOperatorAmbiguous, KeywardErrors.RateLimited);
        app.MapPost("/agent/v1/capabilities", MintForAgentAsync).RequireAuthorization(AuthorizationPolicies.AgentKey).Produces<MintResponse>()
            .Refuses(KeywardErrors.AgentKeyInvalid, KeywardErrors.AgentKeyRevoked, KeywardErrors.CapRequestInvalid, KeywardErrors.CapScopeMissing, KeywardErrors.CapOperatorAmbiguous, KeywardErrors.RateLimited);
        ActorAdminEndpoints.Map(app);
        ScopeAdminEndpoints.Map(app);
    }

    private static IResult Identity(HttpContext context)
    {
        var identity = context.Features.GetRequiredFeature<ActorFeature>().Identity;
        return Results.Json(new ActorIdentityResponse(identity.Id, ScopeRules.KindName(CapabilityActorKind.Service), identity.Label), CapabilitiesJsonContext.Relaxed.ActorIdentityResponse);
    }

    private static Task<IResult> MintForServiceAsync([FromBody] MintRequest? request, HttpContext context, CancellationToken cancellationToken) =>
        CapabilityMinting.MintAsync(context, context.Features.GetRequiredFeature<ActorFeature>().Identity.Id, CapabilityActorKind.Service, request, cancellationToken);

    // The agent policy also admits an ad-hoc agent bound with a support code; only an enrolled machine's key mints.
    private static async Task<IResult> MintForAgentAsync([FromBody] MintRequest? request, HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Features.GetRequiredFeature<AgentFeature>().Machine is not { } machine)
        {
            return Problems.Result(KeywardErrors.AgentKeyInvalid);
        }

        return await CapabilityMinting.MintAsync(context, machine.Id, CapabilityActorKind.Agent, request, cancellationToken).ConfigureAwait(false);
    }
}
