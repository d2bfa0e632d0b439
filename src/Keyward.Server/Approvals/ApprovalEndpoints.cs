using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Approvals;

/// <summary>
/// M-of-N approvals on the API plane (<c>/api/approvals</c>, a session: cookie or <c>kws_</c>): policies, requests,
/// and votes as WebAuthn assertions over the operation's challenge. <see cref="ApprovalDesk"/> decides.
/// </summary>
internal static class ApprovalEndpoints
{
    public const string Root = "/api/approvals";

    public static void Map(IEndpointRouteBuilder app)
    {
        var approvals = app.MapGroup(Root).RequireAuthorization(AuthorizationPolicies.Session);
        approvals.MapGet("/policies", ListPoliciesAsync).Produces<ApprovalPoliciesResponse>();
        app.MapPost(Root + "/policies", CreatePolicyAsync).RequireAuthorization(AuthorizationPolicies.Admin).RequireAdminStepUp()
            .Produces<ApprovalPolicyResponse>().Refuses(
                KeywardErrors.ApprovalPolicyInvalid, KeywardErrors.ApprovalThresholdBelowOne, KeywardErrors.ApprovalThresholdAboveApprovers);
        approvals.MapPost(string.Empty, ProposeAsync).Produces<ApprovalRequestResponse>().Refuses(
            KeywardErrors.ApprovalOperationInvalid, KeywardErrors.ApprovalOperationNotSupported, KeywardErrors.ApprovalPolicyMissing,
            KeywardErrors.ApprovalPolicyStranded, KeywardErrors.ApprovalPolicyUnknown, KeywardErrors.ApprovalThresholdBelowOne,
            KeywardErrors.ApprovalThresholdAboveApprovers, KeywardErrors.ApprovalWouldStrand);
        approvals.MapGet(string.Empty, ListAsync).Produces<ApprovalListResponse>();
        approvals.MapGet("/{id:guid}", ShowAsync).Produces<ApprovalRequestResponse>().Refuses(KeywardErrors.ApprovalUnknown);
        approvals.MapPost("/{id:guid}/withdraw", WithdrawAsync).Produces<ApprovalRequestResponse>().Refuses(
            KeywardErrors.ApprovalUnknown, KeywardErrors.ApprovalNotWithdrawable, KeywardErrors.ApprovalExpired, KeywardErrors.ApprovalWithdrawn,
            KeywardErrors.ApprovalReplayed, KeywardErrors.ApprovalDenied);
        approvals.MapPost("/{id:guid}/deny", DenyAsync).Produces<ApprovalRequestResponse>().Refuses(
            KeywardErrors.ApprovalUnknown, KeywardErrors.ApprovalNotDeniable, KeywardErrors.ApprovalExpired, KeywardErrors.ApprovalWithdrawn,
            KeywardErrors.ApprovalReplayed, KeywardErrors.ApprovalDenied);
        approvals.MapPost("/{id:guid}/vote/begin", BeginVoteAsync).Produces<VoteBeginResponse>().Refuses(
            KeywardErrors.ApprovalUnknown, KeywardErrors.ApprovalExpired, KeywardErrors.ApprovalWithdrawn, KeywardErrors.ApprovalReplayed, KeywardErrors.ApprovalDenied);
        approvals.MapPost("/{id:guid}/vote/finish", FinishVoteAsync).Produces<VoteResponse>().RefusesCeremony([400],
            KeywardErrors.ApprovalKeyNotOwn, KeywardErrors.ApprovalUnknown, KeywardErrors.ApprovalExpired, KeywardErrors.ApprovalWithdrawn,
            KeywardErrors.ApprovalReplayed, KeywardErrors.ApprovalDenied, KeywardErrors.ApprovalStale, KeywardErrors.ApprovalPolicyStranded,
            KeywardErrors.ApprovalOtherOperation, KeywardErrors.ApproverRemoved, KeywardErrors.ApproverKeyUnknown, KeywardErrors.ApproverKeySynced,
            KeywardErrors.ApproverKeyNoCounter, KeywardErrors.ApproverKeyCloned, KeywardErrors.ApprovalDuplicateAccount,
            KeywardErrors.ApprovalDuplicateAuthenticator, KeywardErrors.ApprovalAssertionInvalid, KeywardErrors.ApprovalThresholdAboveApprovers,
            KeywardErrors.ApprovalWouldStrand, KeywardErrors.ApprovalOperationInvalid, KeywardErrors.ApprovalPolicyUnknown);
    }

    private static SessionFeature Session(HttpContext context) => context.Features.GetRequiredFeature<SessionFeature>();

    private static async Task<IResult> Answer<T>(HttpContext context, IAuditLog audit, Outcome<T> outcome, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.Headers.CacheControl = "no-store";
        return outcome.Refused ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false) : Results.Json(outcome.Value, type);
    }

    private static async Task<IResult> ListPoliciesAsync(HttpContext context, [FromServices] ApprovalDesk desk, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(await desk.ListPoliciesAsync(cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalPoliciesResponse);
    }

    private static async Task<IResult> CreatePolicyAsync([FromBody] CreatePolicyRequest request, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.CreatePolicyAsync(request, Caller.Of(context), cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalPolicyResponse).ConfigureAwait(false);

    private static async Task<IResult> ProposeAsync([FromBody] ProposeRequest request, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.ProposeAsync(Session(context).Session, request, Caller.Of(context), cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalRequestResponse).ConfigureAwait(false);

    private static async Task<IResult> ListAsync(HttpContext context, [FromServices] ApprovalDesk desk, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(await desk.ListAsync(Session(context).Session, cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalListResponse);
    }

    private static async Task<IResult> ShowAsync(Guid id, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.ShowAsync(Session(context).Session, id, cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalRequestResponse).ConfigureAwait(false);

    private static async Task<IResult> WithdrawAsync(Guid id, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.WithdrawAsync(Session(context).Session, id, Caller.Of(context), cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalRequestResponse).ConfigureAwait(false);

    private static async Task<IResult> DenyAsync(Guid id, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.DenyAsync(Session(context).Session, id, Caller.Of(context), cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.ApprovalRequestResponse).ConfigureAwait(false);

    private static async Task<IResult> BeginVoteAsync(Guid id, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.BeginVoteAsync(Session(context).Session, id, cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.VoteBeginResponse).ConfigureAwait(false);

    private static async Task<IResult> FinishVoteAsync(Guid id, [FromBody] VoteFinishRequest request, HttpContext context, [FromServices] ApprovalDesk desk, [FromServices] IAuditLog audit, CancellationToken cancellationToken) =>
        await Answer(context, audit, await desk.FinishVoteAsync(Session(context).Session, id, request.Credential, Caller.Of(context), cancellationToken).ConfigureAwait(false), ApprovalsJsonContext.Relaxed.VoteResponse).ConfigureAwait(false);
}
