using Keyward.Core.Audit;
using Keyward.Core.Handoffs;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Keyward.Server.Proxy;

namespace Keyward.Server.Handoff;

/// <summary>
/// The one-time handoff (the pattern of Pomerium and oauth2-proxy): <c>/.keyward/handoff</c> on Keyward's origin mints a
/// single-use, 60 s code for a signed-in browser, bound to the app host, the session, the challenge of the verifier in
/// that host's pre-auth cookie and the return path; <c>/.keyward/callback</c> on the app host redeems it and sets the
/// host-only app cookie. Every refusal is a 400/401 problem, never a redirect, and is audited with its reason.
/// </summary>
internal static class HandoffEndpoints
{
    // Before browser routes (which own every other path of their host).
    private const int Order = ProxyRoutes.BrowserRouteOrder - 1;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(HandoffDefaults.HandoffPath, IssueAsync).AllowAnonymous()
            .Produces(StatusCodes.Status302Found).Refuses(KeywardErrors.HandoffRequestInvalid).WithQueryParameters("host", "challenge", "return")
            .Add(e => ((RouteEndpointBuilder)e).Order = Order);
        app.MapGet(HandoffDefaults.CallbackPath, RedeemAsync).AllowAnonymous().WithMetadata(AppHostEndpoint.Instance)
            .Produces(StatusCodes.Status302Found).WithQueryParameters("code").Refuses(
                KeywardErrors.HandoffCodeInvalid, KeywardErrors.HandoffCodeConsumed, KeywardErrors.HandoffCodeExpired, KeywardErrors.HandoffWrongHost,
                KeywardErrors.HandoffVerifierMismatch, KeywardErrors.SessionInvalid, KeywardErrors.SessionExpired, KeywardErrors.SessionIdleExpired,
                KeywardErrors.SessionLoggedOut, KeywardErrors.SessionRevoked, KeywardErrors.SessionAuthenticatorRemoved, KeywardErrors.SessionAccountDisabled)
            .Add(e => ((RouteEndpointBuilder)e).Order = Order);
    }

    private static async Task<IResult> IssueAsync(HttpContext context, KeywardHosts hosts, HandoffService handoffs, IAuditLog audit, CancellationToken cancellationToken)
    {
        HandoffDefaults.NoStore(context.Response);
        var query = context.Request.Query;
        var name = query["host"] is [{ } one] ? one : null;
        var host = RouteHosts.IsValidName(name) ? hosts.FindApp(name) : null;
        var challenge = query["challenge"] is [{ } c] ? c : null;
        var back = query["return"] is [{ } r] ? r : null;
        if (host is null || !HandoffChallenge.IsWellFormed(challenge) || !ReturnPath.IsSafe(back))
        {
            return await audit.RefuseAsync(context, new Refusal(KeywardErrors.HandoffRequestInvalid, AuditActions.HandoffRefused, name)
            {
                Details = new Dictionary<string, string> { ["reason"] = KeywardErrors.HandoffRequestInvalid.Code },
            }).ConfigureAwait(false);
        }

        // Not signed in (or the cookie's session ended): sign in on this origin first, then come back here.
        if (context.Features.Get<SessionFeature>() is not { } feature)
        {
            var self = context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
            return Results.Redirect("/?return=" + Uri.EscapeDataString(self));
        }

        var id = Guid.NewGuid();
        await audit.RecordAsync(context, AuditActions.HandoffIssued, AuditOutcomes.Success, host.Name, details: new Dictionary<string, string>
        {
            ["handoff"] = id.ToString(),
            ["session"] = feature.Session.Id.ToString(),
            // The path only: an app page's query may carry its own secrets (/reset?token=…), and the audit log keeps forever.
            ["return"] = back!.Split('?', 2)[0],
        }).ConfigureAwait(false);
        var code = await handoffs.IssueAsync(feature.Session, host.Name, challenge!, back!, id, CancellationToken.None).ConfigureAwait(false);
        return Results.Redirect(host.Origin + HandoffDefaults.CallbackPath + "?code=" + code);
    }

    private static async Task<IResult> RedeemAsync(
        HttpContext context, HandoffService handoffs, SessionService sessions, AppSessionService appSessions, IAuditLog audit, RefusalCounter refusals,
        CancellationToken cancellationToken)
    {
        HandoffDefaults.NoStore(context.Response);
        var host = context.Features.GetRequiredFeature<RequestHost>();

        // Consume first, atomically: whatever follows, this code has now been used.
        var presented = context.Request.Query["code"] is [{ } one] ? one : null;
        var redemption = await handoffs.RedeemAsync(presented, cancellationToken).ConfigureAwait(false);
        if (redemption.Code is not { } code)
        {
            var error = Error(redemption.Failure!.Value);
            if (UnauthenticatedRefusals.Covers(error))
            {
                // No code of Keyward's (malformed or unknown): counted per address, not one event each.
                refusals.Count(context, AuditActions.HandoffRefused, host.Name, error);
                return Problems.Result(error);
            }

            return await RefuseAsync(context, audit, host, error, presented).ConfigureAwait(false);
        }

        if (!string.Equals(code.Host, host.Name, StringComparison.OrdinalIgnoreCase))
        {
            return await RefuseAsync(context, audit, host, KeywardErrors.HandoffWrongHost, presented).ConfigureAwait(false);
        }

        if (!HandoffChallenge.Matches(ExactCookie.Read(context.Request, HandoffDefaults.PreCookieName).Value, code.Challenge))
        {
            return await RefuseAsync(context, audit, host, KeywardErrors.HandoffVerifierMismatch, presented).ConfigureAwait(false);
        }

        var parent = await sessions.CheckIdAsync(code.SessionId, cancellationToken).ConfigureAwait(false);
        if (parent.Session is not { } session)
        {
            return await RefuseAsync(context, audit, host, KeywardErrors.From(parent.Failure ?? SessionFailure.Invalid), presented).ConfigureAwait(false);
        }

        var id = Guid.NewGuid();
        await audit.RecordAsync(context, AuditActions.HandoffRedeemed, AuditOutcomes.Success, host.Name, session.AccountName, new Dictionary<string, string>
        {
            ["handoff"] = code.Id.ToString(),
            ["session"] = session.Id.ToString(),
            ["app_session"] = id.ToString(),
        }).ConfigureAwait(false);
        var token = await appSessions.CreateAsync(session, host.Name, id, CancellationToken.None).ConfigureAwait(false);
        var cookies = context.Response.Cookies;
        cookies.Append(HandoffDefaults.AppCookieName, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Expires = session.ExpiresAt,
        });
        cookies.Delete(HandoffDefaults.PreCookieName, new CookieOptions { HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax, Path = "/" });
        return Results.Redirect(code.ReturnPath);
    }

    private static Task<IResult> RefuseAsync(HttpContext context, IAuditLog audit, RequestHost host, KeywardError error, string? presented) =>
        audit.RefuseAsync(context, new Refusal(error, AuditActions.HandoffRefused, host.Name)
        {
            Details = new Dictionary<string, string> { ["reason"] = error.Code, ["credential"] = Keyward.Core.Credentials.SecretToken.Redact(presented) },
        });

    private static KeywardError Error(HandoffFailure failure) => failure switch
    {
        HandoffFailure.Consumed => KeywardErrors.HandoffCodeConsumed,
        HandoffFailure.Expired => KeywardErrors.HandoffCodeExpired,
        _ => KeywardErrors.HandoffCodeInvalid,
    };
}
