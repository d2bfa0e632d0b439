using Keyward.Core.Accounts;
using Keyward.Core.Accounts.Names;
using Keyward.Core.Audit;
using Keyward.Core.Capabilities;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Capabilities;

/// <summary>
/// Mints a capability for an authenticated actor (layer a of the negative isolation): the request's operation, class
/// and path must be allowed by a live scope of that actor (of the named operator), else 403 <c>cap_scope_missing</c>.
/// Every mint and every refusal is audited with the operation, class and path, never the token.
/// </summary>
internal static class CapabilityMinting
{
    /// <summary>The audit actor of an actor: <c>service:&lt;id&gt;</c> or <c>machine:&lt;id&gt;</c>.</summary>
    public static string AuditActor(Guid actorId, CapabilityActorKind kind) => (kind == CapabilityActorKind.Service ? "service:" : "machine:") + actorId.ToString();

    public static async Task<IResult> MintAsync(HttpContext context, Guid actorId, CapabilityActorKind kind, MintRequest? request, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var audit = services.GetRequiredService<IAuditLog>();
        var actor = AuditActor(actorId, kind);
        if (!services.GetRequiredService<MintLimiter>().TryAcquire(actorId, out var retryAfter))
        {
            return await LimitedAsync(context, actorId, actor, retryAfter).ConfigureAwait(false);
        }

        var details = new Dictionary<string, string>
        {
            ["operation"] = request?.Operation ?? string.Empty,
            ["data_class"] = request?.DataClass ?? string.Empty,
            ["path"] = request?.Path ?? string.Empty,
        };

        Guid? operatorId = null;
        if (request?.Operator is { } named)
        {
            if (named.Length > AccountName.MaxInputLength)
            {
                return await RefuseAsync(audit, context, KeywardErrors.CapRequestInvalid, actorId, actor, details).ConfigureAwait(false);
            }

            operatorId = Guid.TryParse(named, out var id) ? id
                : (await services.GetRequiredService<AccountService>().FindAccountByTypedNameAsync(named, cancellationToken).ConfigureAwait(false))?.Id;
            if (operatorId is null)
            {
                // An operator who does not exist has granted nothing.
                return await RefuseAsync(audit, context, KeywardErrors.CapScopeMissing, actorId, actor, details).ConfigureAwait(false);
            }
        }

        var tenant = Keyward.Core.Storage.TenantScope.Of(null);
        var match = await services.GetRequiredService<ScopeService>()
            .AuthorizeAsync(tenant, actorId, kind, operatorId, request?.Operation, request?.DataClass, request?.Path, cancellationToken).ConfigureAwait(false);
        if (match.Failure is { } failure)
        {
            return await RefuseAsync(audit, context, KeywardErrors.From(failure), actorId, actor, details).ConfigureAwait(false);
        }

        // A list capability names its prefix as normalized (no trailing '/').
        var path = request!.Operation == CapabilityOperations.List ? ScopeRules.NormalizePrefix(request.Path)! : request.Path!;
        var (token, capability) = services.GetRequiredService<CapabilityIssuer>().Issue(match.Scope!, match.Nonce, request.Operation!, request.DataClass!, path);
        details["path"] = path;
        details["operator"] = capability.OperatorId.ToString();
        details["scope"] = capability.ScopeId.ToString();
        details["jti"] = capability.TokenId.ToString();
        await audit.RecordAsync(context, CapabilityAuditActions.CapabilityMinted, AuditOutcomes.Success, actorId.ToString(), actor, details).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new MintResponse(token, capability.ExpiresAt, capability.ScopeId), CapabilitiesJsonContext.Relaxed.MintResponse);
    }

    // One event per actor, address group and interval, then a count (docs/audit.md, "Repeated refusals"): a flood of
    // mints must not become a flood of audit events.
    private static async Task<IResult> LimitedAsync(HttpContext context, Guid actorId, string actor, TimeSpan retryAfter)
    {
        const string Limit = "capabilities.mint";
        var record = AuditTrail.For(context, AuditActions.RateLimited, AuditOutcomes.Denied, Limit, actor, AuditTrail.PathDetail(context));
        await context.RequestServices.GetRequiredService<RepeatedRefusals>().RecordAsync(string.Concat(Limit, " ", actorId.ToString()), context.Connection.RemoteIpAddress, record).ConfigureAwait(false);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Result(KeywardErrors.RateLimited.Saying("Too many capabilities minted by this actor. Wait and try again."));
    }

    private static Task<IResult> RefuseAsync(IAuditLog audit, HttpContext context, KeywardError error, Guid actorId, string actor, Dictionary<string, string> details) =>
        audit.RefuseAsync(context, new Refusal(error, CapabilityAuditActions.CapabilityRefused, actorId.ToString(), actor) { Details = details });
}
