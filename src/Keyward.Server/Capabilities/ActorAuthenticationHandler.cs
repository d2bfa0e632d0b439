using System.Security.Claims;
using System.Text.Encodings.Web;
using Keyward.Core.Capabilities;
using Keyward.Core.Credentials;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Capabilities;

/// <summary>
/// The actor plane's scheme (docs/capabilities.md): on <c>/actor/v1</c> it accepts only a live service key <c>kwv_</c>
/// as Bearer. Anything else (a session, an agent key, a capability, an assertion, garbage) is refused with 401
/// <c>service_key_invalid</c> before any database read; a revoked key with <c>service_key_revoked</c>. A key store that
/// cannot be read refuses (503, fail closed). Refusals are audited: counted per address when nothing Keyward issued was
/// behind them, one event (then a count) when a revoked key or a live session was presented here.
/// </summary>
internal sealed class ActorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ServiceIdentityService identities,
    RefusalCounter refusals,
    RepeatedRefusals repeats) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private KeywardError? _refusal;
    private Guid? _refusedIdentity;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var bearer = ReadBearer(Request);
        if (!SecretToken.IsWellFormed(CredentialKind.Service, bearer))
        {
            return Fail(KeywardErrors.ServiceKeyInvalid);
        }

        ServiceAuthentication check;
        try
        {
            check = await identities.AuthenticateAsync(bearer, Context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException or TimeoutException)
        {
            // Fail closed: a key that cannot be checked opens nothing.
            CapabilityLog.KeyStoreFailed(Logger, e);
            return Fail(KeywardErrors.ServiceKeyStoreUnavailable);
        }

        if (!check.Succeeded)
        {
            _refusedIdentity = check.RefusedId;
            return Fail(KeywardErrors.From(check.Failure!.Value));
        }

        Context.Features.Set(new ActorFeature(check.Identity!));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, check.Identity!.Id.ToString())], ActorAuthenticationDefaults.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ActorAuthenticationDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = _refusal ?? KeywardErrors.ServiceKeyInvalid;
        await RecordAsync(error).ConfigureAwait(false);
        if (error.Status == 401)
        {
            Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward-actor\"";
        }

        await Problems.WriteAsync(Context, error).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await RecordAsync(KeywardErrors.Forbidden).ConfigureAwait(false);
        await Problems.WriteAsync(Context, KeywardErrors.Forbidden).ConfigureAwait(false);
    }

    private AuthenticateResult Fail(KeywardError error)
    {
        _refusal = error;
        return AuthenticateResult.Fail(error.Code);
    }

    // Never the credential: at most its kind's prefix (kws_, kwa_…), which says what was presented where.
    private Task RecordAsync(KeywardError error)
    {
        var target = Request.Path.Value ?? string.Empty;
        if (UnauthenticatedRefusals.Covers(error) && Context.Features.Get<SessionFeature>() is null)
        {
            refusals.Count(Context, CapabilityAuditActions.ActorKeyRefused, target, error);
            return Task.CompletedTask;
        }

        var bearer = ReadBearer(Request);
        var details = new Dictionary<string, string> { ["code"] = error.Code, ["presented"] = KindOf(bearer) };
        var record = AuditTrail.For(Context, CapabilityAuditActions.ActorKeyRefused, Keyward.Core.Audit.AuditOutcomes.Denied, _refusedIdentity?.ToString() ?? target, details: details);
        return repeats.RecordAsync(string.Concat(error.Code, " ", bearer ?? Request.Headers.Cookie.ToString()), Context.Connection.RemoteIpAddress, record);
    }

    private static string KindOf(string? credential) =>
        credential is { Length: >= 4 } && credential.StartsWith("kw", StringComparison.Ordinal) && credential[3] == '_' && char.IsAsciiLetterLower(credential[2])
            ? credential[..4]
            : credential is null ? "none" : "other";

    internal static string? ReadBearer(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
