using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;

namespace Keyward.Server.Accounts;

/// <summary>The signed-in account's recovery codes: replaced, with a <c>recovery.regenerate</c> step-up (spent).</summary>
internal static class RecoveryCodeEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/account/recovery-codes", RegenerateAsync).RequireAuthorization(AuthorizationPolicies.Session)
            .Produces<RecoveryCodesResponse>().Refuses(KeywardErrors.StepUpRequired);

    private static async Task<IResult> RegenerateAsync(HttpContext context, RecoveryCodeService recoveryCodes, StepUpGate stepUp, IAuditLog audit, CancellationToken cancellationToken)
    {
        var session = context.Features.GetRequiredFeature<SessionFeature>().Session;
        if (await stepUp.ConsumeAsync(session, StepUpPurposes.RecoveryRegenerate, null, cancellationToken).ConfigureAwait(false) is { } noStepUp)
        {
            return await audit.RefuseAsync(context, noStepUp).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.RecoveryCodesIssued, AuditOutcomes.Success, session.AccountName, details: new Dictionary<string, string>
        {
            ["count"] = RecoveryCodeService.PerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["replaces_earlier"] = "true",
        }).ConfigureAwait(false);
        var codes = await recoveryCodes.ReplaceAsync(session.AccountId, Core.Storage.Tenants.Default, CancellationToken.None).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new RecoveryCodesResponse(codes), AccountsJsonContext.Relaxed.RecoveryCodesResponse);
    }
}
