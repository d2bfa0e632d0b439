using System.Security.Claims;
using System.Text.Encodings.Web;
using Keyward.Core.Audit;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Sessions;

/// <summary>
/// Authenticates a <c>kws_</c> session from <c>Authorization: Bearer</c> or the <c>__Host-</c> cookie. The session is
/// carried by one object, <see cref="SessionFeature"/>, which authorization, the proxy, the endpoints and the audit
/// actor all read; the principal only says "authenticated, as this account". Failures are values (a
/// <see cref="RefusalFeature"/>); the challenge answers 401 problem+json, or sends a browser navigation to the
/// sign-in page, and every refusal is audited as its endpoint's <see cref="DenialAudit"/> says.
/// </summary>
internal sealed partial class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionService sessions,
    IAuditLog audit) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Context);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var check = await sessions.CheckAsync(token, Context.RequestAborted).ConfigureAwait(false);
        if (!check.IsValid)
        {
            var error = KeywardErrors.From(check.Failure!.Value);
            Context.Features.Set(new RefusalFeature(error));
            return AuthenticateResult.Fail(error.Code);
        }

        var session = check.Session!;
        Context.Features.Set(new SessionFeature(session, check.IdleExpiresAt));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, session.AccountName)], SessionAuthenticationDefaults.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SessionAuthenticationDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = Context.Features.Get<RefusalFeature>()?.Error ?? KeywardErrors.SessionMissing;
        await RecordDeniedAsync(error).ConfigureAwait(false);
        Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward\"";
        await Problems.WriteAsync(Context, error).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var error = Context.Features.Get<RefusalFeature>()?.Error ?? KeywardErrors.Forbidden;
        await RecordDeniedAsync(error).ConfigureAwait(false);
        await Problems.WriteAsync(Context, error).ConfigureAwait(false);
    }

    // The endpoint says how its refusals are audited (the proxy marks its routes proxy.denied with the route id);
    // otherwise access.denied with the path. The actor is the session's account when there is one (a 403).
    private Task RecordDeniedAsync(KeywardError error)
    {
        var denial = Context.GetEndpoint()?.Metadata.GetMetadata<DenialAudit>();
        Refused(Logger, error.Code, denial?.Target ?? Request.Path.Value ?? string.Empty);
        return audit.RecordAsync(
            Context,
            denial?.Action ?? AuditActions.AccessDenied,
            AuditOutcomes.Denied,
            denial?.Target ?? Request.Path.Value,
            details: new Dictionary<string, string> { ["code"] = error.Code, ["method"] = Request.Method });
    }

    // The session token a request carries, if any. Bearer wins over the cookie. The session cookie counts only on
    // Keyward's own endpoints: path routes on Keyward's origin take only Bearer (so no page can ride the cookie into an
    // upstream), and it is never read on an app host.
    private static string? ReadToken(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        if (!request.Cookies.TryGetValue(SessionAuthenticationDefaults.CookieName, out var cookie))
        {
            return null;
        }

        if (context.Features.Get<RequestHost>() is { IsApp: true })
        {
            return null;
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is not null)
        {
            context.Features.Set(new RefusalFeature(KeywardErrors.BearerRequired));
            return null;
        }

        return cookie;
    }

    [LoggerMessage(KeywardEventIds.RequestRefused, LogLevel.Debug, "Request to {Target} refused: {Code}.")]
    private static partial void Refused(ILogger logger, string code, string target);
}
