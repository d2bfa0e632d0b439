using System.Security.Claims;
using System.Text.Encodings.Web;
using Keyward.Core.Agents;
using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Agents;

/// <summary>
/// The agent plane's scheme (docs/remote-support.md, "The three planes"). On <c>/agent/v1/connect</c> it accepts only a
/// live agent key <c>kwa_</c> as Bearer; on <c>/agent/v1/enroll</c> only a well-formed enroll token <c>kwe_</c> (the
/// endpoint consumes it), after the per-address limit. Anything else (a session, a ticket, a join token, an assertion,
/// garbage) is refused with 401 and a stable code before any work. A key store that cannot be read refuses the
/// connection (503, fail closed). Refusals are audited: one event each when a credential Keyward knows was refused (a
/// revoked key, a live session on the wrong plane), counted per address (<see cref="RefusalCounter"/>) when none was.
/// </summary>
internal sealed class AgentAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    MachineService machines,
    EnrollLimiter limiter,
    IAdHocBinder adHoc,
    AgentDirectory directory,
    RefusalCounter refusals,
    RepeatedRefusals repeats) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private KeywardError? _refusal;
    private Guid? _refusedMachine;
    private TimeSpan? _retryAfter;
    private bool _recorded;

    private bool Enrolling => Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == AuthorizationPolicies.AgentEnroll) == true;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var bearer = ReadBearer(Request);
        if (Enrolling)
        {
            // The limit comes first, so guessing costs the guesser whether or not the token is well formed.
            if (await limiter.TryAcquireAsync(Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", Context.RequestAborted).ConfigureAwait(false) is { } wait)
            {
                _retryAfter = wait;
                return Fail(KeywardErrors.RateLimited.Saying("Too many enrollment attempts from this address. Wait and try again."));
            }

            return SecretToken.IsWellFormed(CredentialKind.Enroll, bearer)
                ? Success(new AgentFeature(null, bearer), SecretToken.Prefix(CredentialKind.Enroll))
                : Fail(KeywardErrors.EnrollTokenInvalid);
        }

        if (IsSupportCode(bearer))
        {
            return await BindAdHocAsync(bearer!).ConfigureAwait(false);
        }

        if (!SecretToken.IsWellFormed(CredentialKind.Agent, bearer))
        {
            return Fail(KeywardErrors.AgentKeyInvalid);
        }

        MachineAuthentication check;
        try
        {
            check = await machines.AuthenticateAsync(bearer, Context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException or TimeoutException)
        {
            // Fail closed: a key that cannot be checked opens nothing.
            AgentLog.KeyStoreFailed(Logger, e);
            return Fail(KeywardErrors.AgentKeyStoreUnavailable);
        }

        if (!check.Succeeded)
        {
            _refusedMachine = check.RefusedMachineId;
            return Fail(KeywardErrors.From(check.Failure!.Value));
        }

        return Success(new AgentFeature(check.Machine, null), SecretToken.Prefix(CredentialKind.Agent));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = _refusal ?? (Enrolling ? KeywardErrors.EnrollTokenInvalid : KeywardErrors.AgentKeyInvalid);
        if (!_recorded)
        {
            await RecordAsync(error).ConfigureAwait(false);
        }

        if (_retryAfter is { } wait)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (error.Status == 401)
        {
            Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward-agent\"";
        }

        await Problems.WriteAsync(Context, error).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        await RecordAsync(KeywardErrors.Forbidden).ConfigureAwait(false);
        await Problems.WriteAsync(Context, KeywardErrors.Forbidden).ConfigureAwait(false);
    }

    // A support code (XXXX-XXXX-XXXX, never a kw?_ token) binds an ad-hoc agent to its one support session: consumed
    // here (for an agent's upgrade, while the node has room), atomically, behind the support slice's limits; the binder records every answer (support.code_consumed /
    // support.code_refused), so the challenge does not record it again.
    // A code is single use, so what the endpoint would refuse anyway (not an agent's upgrade, no room) is refused before
    // the code is spent: a plain GET with it (a person trying it, a proxy's probe) leaves it for the real agent.
    private async Task<AuthenticateResult> BindAdHocAsync(string code)
    {
        if (!AgentEndpoints.IsAgentUpgrade(Context))
        {
            _recorded = true;
            return Fail(KeywardErrors.AgentUpgradeRequired);
        }

        if (!directory.HasRoom)
        {
            return Fail(KeywardErrors.AgentCapacity);
        }

        var bound = await adHoc.BindAsync(code, Context.Connection.RemoteIpAddress, Context.RequestAborted).ConfigureAwait(false);
        _recorded = true;
        if (bound.Refused)
        {
            _retryAfter = bound.Refusal.RetryAfter;
            return Fail(bound.Refusal.Error);
        }

        return Success(new AgentFeature(null, null, bound.Value), AgentAuthenticationDefaults.SupportCodeCredential);
    }

    // Shape only: a kw?_ token is never one (its '_' is outside the code alphabet), while a code may well start with KW.
    internal static bool IsSupportCode(string? bearer) =>
        bearer is { Length: >= 12 and <= 32 } && HumanCode.Normalize(bearer) is not null;

    private AuthenticateResult Success(AgentFeature feature, string kind)
    {
        Context.Features.Set(feature);
        var identity = new ClaimsIdentity([new Claim(AgentAuthenticationDefaults.CredentialClaim, kind)], AgentAuthenticationDefaults.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), AgentAuthenticationDefaults.Scheme));
    }

    private AuthenticateResult Fail(KeywardError error)
    {
        _refusal = error;
        return AuthenticateResult.Fail(error.Code);
    }

    // Never the credential: at most its kind's prefix (kws_, kwa_…), which says what was presented where.
    private Task RecordAsync(KeywardError error)
    {
        var action = Enrolling ? AgentAuditActions.EnrollRefused : AgentAuditActions.KeyRefused;
        var target = Request.Path.Value ?? string.Empty;
        if (_retryAfter is not null)
        {
            // Once per address and interval, then a count (a client that keeps retrying does not write an event each time).
            const string Limit = "agent.enroll.address";
            return repeats.RecordAsync(Limit, Context.Connection.RemoteIpAddress, AuditTrail.For(Context, AuditActions.RateLimited, AuditOutcomes.Denied, Limit, details: AuditTrail.PathDetail(Context)));
        }

        // Nothing Keyward issued behind it (none, garbage, unknown): counted per address, unless a live session was
        // presented on this plane, which is worth its own event.
        if (UnauthenticatedRefusals.Covers(error) && Context.Features.Get<SessionFeature>() is null)
        {
            refusals.Count(Context, action, target, error);
            return Task.CompletedTask;
        }

        // One event for the first refusal of this credential from this address in an interval, then a count (a revoked
        // key's agent retrying for days does not write an event per attempt).
        var bearer = ReadBearer(Request);
        var details = new Dictionary<string, string> { ["code"] = error.Code, ["presented"] = KindOf(bearer) };
        var record = AuditTrail.For(Context, action, AuditOutcomes.Denied, _refusedMachine?.ToString() ?? target, details: details);
        return repeats.RecordAsync(string.Concat(error.Code, " ", bearer ?? Request.Headers.Cookie.ToString()), Context.Connection.RemoteIpAddress, record);
    }

    private static string KindOf(string? credential) =>
        credential is { Length: >= 4 } && credential.StartsWith("kw", StringComparison.Ordinal) && credential[3] == '_' && char.IsAsciiLetterLower(credential[2])
            ? credential[..4]
            : credential is null ? "none" : "other";

    private static string? ReadBearer(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
