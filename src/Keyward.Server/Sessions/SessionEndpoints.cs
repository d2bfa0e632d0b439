using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Mvc;

namespace Keyward.Server.Sessions;

/// <summary>The session API, under the prototype's names: /session/login/{begin,finish}, status, logout, list.</summary>
internal static class SessionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/session");
        session.MapPost("/login/begin", BeginAsync).RequireRateLimiting(RateLimitPolicies.SignIn).AllowAnonymous()
            .Produces<CeremonyOptionsResponse>().Refuses(KeywardErrors.UsernameRequired);
        session.MapPost("/login/finish", FinishAsync).RequireRateLimiting(RateLimitPolicies.SignIn).AllowAnonymous()
            .Produces<SignInResponse>().RefusesCeremony([400, 401], KeywardErrors.CeremonyInvalid, KeywardErrors.CredentialUnknown, KeywardErrors.AccountDisabled);
        session.MapPost("/status", Status).RequireAuthorization(AuthorizationPolicies.Session).Produces<SessionStatusResponse>();
        session.MapPost("/logout", LogoutAsync).RequireAuthorization(AuthorizationPolicies.Session).Produces<LogoutResponse>();
        session.MapGet("/list", ListAsync).RequireAuthorization(AuthorizationPolicies.Session).Produces<List<SessionListItem>>();
        session.MapDelete("/{id:guid}", RevokeAsync).RequireAuthorization(AuthorizationPolicies.Session)
            .Produces(StatusCodes.Status204NoContent).Refuses(KeywardErrors.SessionNotFound);
    }

    private static async Task<IResult> BeginAsync([FromBody] LoginBeginRequest? request, HttpContext context, SignInService signIn, IAuditLog audit, CancellationToken cancellationToken)
    {
        var outcome = await signIn.BeginAsync(request?.Username, cancellationToken).ConfigureAwait(false);
        return outcome.Refused
            ? await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false)
            : Results.Json(outcome.Value, SessionsJsonContext.Relaxed.CeremonyOptionsResponse);
    }

    private static async Task<IResult> FinishAsync(
        [FromBody] CeremonyFinishRequest request, HttpContext context, SignInService signIn, IAuditLog audit, KeywardMetrics metrics, CancellationToken cancellationToken)
    {
        var outcome = await signIn.FinishAsync(request.CeremonyId, request.Credential, Caller.Of(context), cancellationToken).ConfigureAwait(false);
        if (outcome.Refused)
        {
            metrics.SignIns.Add(1, new("outcome", "refused"), new("code", outcome.Refusal.Error.Code));
            return await audit.RefuseAsync(context, outcome.Refusal).ConfigureAwait(false);
        }

        metrics.SignIns.Add(1, new KeyValuePair<string, object?>("outcome", "succeeded"));

        var (token, session, idle) = outcome.Value;
        context.Response.Cookies.Append(SessionAuthenticationDefaults.CookieName, token, new CookieOptions
        {
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = session.ExpiresAt,
        });
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new SignInResponse(token, session.ExpiresAt, idle, session.AccountName, session.UserVerified), SessionsJsonContext.Relaxed.SignInResponse);
    }

    private static IResult Status(HttpContext context)
    {
        var (s, idle) = context.Features.GetRequiredFeature<SessionFeature>();
        return Results.Json(
            new SessionStatusResponse(true, s.AccountName, s.Role, s.Id, s.UserVerified, s.CreatedAt, s.ExpiresAt, idle),
            SessionsJsonContext.Relaxed.SessionStatusResponse);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, SessionService sessions, RevocationAudit revocations)
    {
        var current = context.Features.GetRequiredFeature<SessionFeature>().Session;
        await revocations.RecordAsync(context, AuditActions.SessionEnded, current.Id.ToString(), new Dictionary<string, string> { ["reason"] = "logout" }).ConfigureAwait(false);
        await sessions.EndAsync(current.Id, CancellationToken.None).ConfigureAwait(false);
        context.Response.Cookies.Delete(SessionAuthenticationDefaults.CookieName, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        return Results.Json(new LogoutResponse(true), SessionsJsonContext.Relaxed.LogoutResponse);
    }

    private static async Task<IResult> ListAsync(HttpContext context, SessionService sessions, CancellationToken cancellationToken)
    {
        var current = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var list = await sessions.ListAsync(current.AccountId, cancellationToken).ConfigureAwait(false);
        List<SessionListItem> items = [.. list.Select(s => new SessionListItem(
            s.Id, s.Id == current.Id, DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(s.ExpiresAt), s.UserVerified, s.ClientAddress,
            s.ClientDevice, DateTimeOffset.FromUnixTimeMilliseconds(s.LastSeenAt)))];
        return Results.Json(items, SessionsJsonContext.Relaxed.ListSessionListItem);
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext context, SessionService sessions, IAuditLog audit, RevocationAudit revocations, CancellationToken cancellationToken)
    {
        var current = context.Features.GetRequiredFeature<SessionFeature>().Session;
        if (!await sessions.IsRevocableAsync(current.AccountId, id, cancellationToken).ConfigureAwait(false))
        {
            return await audit.RefuseAsync(context, AuditActions.SessionRevoked, KeywardErrors.SessionNotFound, id.ToString()).ConfigureAwait(false);
        }

        await revocations.RecordAsync(context, AuditActions.SessionRevoked, id.ToString(), new Dictionary<string, string> { ["by_session"] = current.Id.ToString() }).ConfigureAwait(false);

        // It may have ended meanwhile (a logout elsewhere): either way it is no longer live.
        await sessions.RevokeAsync(current.AccountId, id, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }
}
