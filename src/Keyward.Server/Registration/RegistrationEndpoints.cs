using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Sessions;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Registration;

/// <summary>
/// Key registration: the first admin with the setup code, a new account with an invite, another key for the signed-in
/// account (with a <c>key.add</c> step-up), or a new key for an existing account with a re-enrollment invite, a
/// break-glass setup code or a recovery code (<see cref="RegistrationService"/>). Anonymous at the door: the code,
/// invite or session is the credential, checked by the service.
/// </summary>
internal static class RegistrationEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/register").RequireRateLimiting(RateLimitPolicies.SignIn).AllowAnonymous();
        // Adding a key to one's own account (no setup code, invite or recovery code) takes the session and a key.add step-up.
        group.MapPost("/begin", BeginAsync).Produces<CeremonyOptionsResponse>().Refuses([
            KeywardErrors.UsernameRequired, KeywardErrors.UsernameInvalid, KeywardErrors.SetupCodeInvalid, KeywardErrors.InviteInvalid,
            KeywardErrors.RecoveryCodeInvalid, KeywardErrors.AccountDisabled, KeywardErrors.StepUpRequired, KeywardErrors.RateLimited,
            .. ApiDescription.SessionPlane]);
        group.MapPost("/finish", FinishAsync).Produces<RegistrationResponse>().RefusesCeremony(
            [400], KeywardErrors.CeremonyInvalid, KeywardErrors.AccountExists, KeywardErrors.AccountNotFound, KeywardErrors.CredentialExists,
            KeywardErrors.SetupCodeInvalid, KeywardErrors.InviteInvalid, KeywardErrors.RecoveryCodeInvalid, KeywardErrors.SessionInvalid,
            KeywardErrors.AccountDisabled);
    }

    private static async Task<IResult> BeginAsync([FromBody] RegisterBeginRequest request, HttpContext context, RegistrationService registration, IAuditLog audit, CancellationToken cancellationToken)
    {
        var outcome = await registration.BeginAsync(request, RequestSession.Of(context), Caller.Of(context), cancellationToken).ConfigureAwait(false);
        return outcome.Refused
            ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false)
            : Results.Json(outcome.Value, SessionsJsonContext.Relaxed.CeremonyOptionsResponse);
    }

    private static async Task<IResult> FinishAsync([FromBody] CeremonyFinishRequest request, HttpContext context, RegistrationService registration, IAuditLog audit, CancellationToken cancellationToken)
    {
        var outcome = await registration.FinishAsync(request, RequestSession.Of(context), Caller.Of(context), cancellationToken).ConfigureAwait(false);

        // A new account's answer carries its recovery codes.
        context.Response.Headers.CacheControl = "no-store";
        return outcome.Refused
            ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false)
            : Results.Json(outcome.Value, RegistrationJsonContext.Relaxed.RegistrationResponse);
    }
}
