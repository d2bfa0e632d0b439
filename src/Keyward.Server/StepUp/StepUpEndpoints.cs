using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.StepUp;

/// <summary>The step-up ceremony on the session plane: /session/step-up/{begin,finish}.</summary>
internal static class StepUpEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var stepUp = app.MapGroup("/session/step-up").RequireAuthorization(AuthorizationPolicies.Session).RequireRateLimiting(RateLimitPolicies.SignIn);
        stepUp.MapPost("/begin", BeginAsync).Produces<CeremonyOptionsResponse>().Refuses(KeywardErrors.StepUpPurposeInvalid);
        stepUp.MapPost("/finish", FinishAsync).Produces<StepUpResponse>().RefusesCeremony([400, 401], KeywardErrors.CeremonyInvalid, KeywardErrors.CredentialUnknown);
    }

    /// <summary>Puts <see cref="RequireAdminAsync"/> on an endpoint and says so in its API description.</summary>
    public static TBuilder RequireAdminStepUp<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter(RequireAdminAsync).Refuses(KeywardErrors.StepUpRequired);

    /// <summary>An endpoint filter for state-changing admin endpoints: they need an <c>admin</c> step-up within its window.</summary>
    public static async ValueTask<object?> RequireAdminAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(next);
        var context = invocation.HttpContext;
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var gate = context.RequestServices.GetRequiredService<StepUpGate>();
        if (await gate.CheckAsync(session, StepUpPurposes.Admin, null, context.RequestAborted).ConfigureAwait(false) is { } refusal)
        {
            var audit = context.RequestServices.GetRequiredService<IAuditLog>();
            return await audit.RefuseAsync(context, refusal with { Target = context.Request.Path.Value }).ConfigureAwait(false);
        }

        return await next(invocation).ConfigureAwait(false);
    }

    private static async Task<IResult> BeginAsync([FromBody] StepUpBeginRequest request, HttpContext context, StepUpService stepUp, IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var outcome = await stepUp.BeginAsync(session, request.Purpose, request.Target, cancellationToken).ConfigureAwait(false);
        return outcome.Refused
            ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false)
            : Results.Json(outcome.Value, SessionsJsonContext.Relaxed.CeremonyOptionsResponse);
    }

    private static async Task<IResult> FinishAsync([FromBody] CeremonyFinishRequest request, HttpContext context, StepUpService stepUp, IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var outcome = await stepUp.FinishAsync(session, request.CeremonyId, request.Credential, Caller.Of(context), cancellationToken).ConfigureAwait(false);
        return outcome.Refused
            ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false)
            : Results.Json(outcome.Value, StepUpJsonContext.Relaxed.StepUpResponse);
    }
}
