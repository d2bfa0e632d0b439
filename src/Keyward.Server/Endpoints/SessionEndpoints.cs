using System.Globalization;
using System.Text.Json;
using Keyward.Core.Accounts;
using Keyward.Core.Audit;
using Keyward.Core.Ceremonies;
using Keyward.Core.Sessions;
using Keyward.Server.Audit;
using Keyward.Server.Authentication;
using Keyward.Server.Hosting;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Endpoints;

/// <summary>The session API, under the prototype's names: /session/login/{begin,finish}, status, logout, list.</summary>
internal static class SessionEndpoints
{
    public const string LoginKind = "login";

    public static void Map(IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/session");
        session.MapPost("/login/begin", BeginAsync).RequireRateLimiting(RateLimitPolicies.SignIn);
        session.MapPost("/login/finish", FinishAsync).RequireRateLimiting(RateLimitPolicies.SignIn);
        session.MapPost("/status", Status).RequireAuthorization(AuthorizationPolicies.Session);
        session.MapPost("/logout", LogoutAsync).RequireAuthorization(AuthorizationPolicies.Session);
        session.MapGet("/list", ListAsync).RequireAuthorization(AuthorizationPolicies.Session);
        session.MapDelete("/{id:guid}", RevokeAsync).RequireAuthorization(AuthorizationPolicies.Session);
    }

    private static async Task<IResult> BeginAsync(
        [FromBody] LoginBeginRequest? request, HttpContext context, AccountService accounts, CeremonyStore ceremonies, RelyingParty rp,
        SignInLimiter limiter, IAuditLog audit, IOptions<KeywardOptions> options, CancellationToken cancellationToken)
    {
        var username = request?.Username?.Trim();
        var allow = new List<CredentialDescriptor>();
        Guid? accountId = null;
        if (!string.IsNullOrEmpty(username))
        {
            if (!limiter.TryAcquire(username, out var wait))
            {
                await audit.RecordAsync(context, AuditActions.RateLimited, AuditOutcomes.Denied, "signin.account", username, AuditTrail.PathDetail(context)).ConfigureAwait(false);
                return RateLimitPolicies.TooMany(wait);
            }

            // An unknown name gets options that look like a discoverable sign-in, so names cannot be probed.
            var account = await accounts.FindAccountAsync(username, cancellationToken).ConfigureAwait(false);
            if (account is not null)
            {
                accountId = account.Id;
                foreach (var key in await accounts.ListAuthenticatorsAsync(account.Id, cancellationToken).ConfigureAwait(false))
                {
                    allow.Add(new CredentialDescriptor(key.CredentialId, key.Transports.Split(',', StringSplitOptions.RemoveEmptyEntries)));
                }
            }
        }

        // UV is preferred, not required: routes that need it check the session's uv claim and say so (403).
        var opts = rp.CreateAuthenticationOptions(new AuthenticationOptionsRequest { AllowCredentials = allow, UserVerification = UserVerificationRequirement.Preferred });
        var state = new CeremonyState
        {
            Mode = LoginKind,
            AccountId = accountId,
            AllowCredentials = [.. allow.Select(a => Base64Url.Encode(a.Id))],
        };
        var id = await ceremonies.SaveAsync(LoginKind, opts.Ceremony.Challenge, JsonSerializer.Serialize(state), options.Value.SignIn.CeremonyLifetime, cancellationToken).ConfigureAwait(false);
        return Results.Json(new Dictionary<string, object> { ["ceremony_id"] = id, ["public_key"] = JsonDocument.Parse(opts.ToJson()).RootElement });
    }

    private static async Task<IResult> FinishAsync(
        [FromBody] CeremonyFinishRequest request, HttpContext context, AccountService accounts, CeremonyStore ceremonies,
        SessionService sessions, RelyingParty rp, SignInLimiter limiter, IAuditLog audit, CancellationToken cancellationToken)
    {
        const string Failed = AuditActions.SignInFailed;
        var ceremony = await ceremonies.ConsumeAsync(request.CeremonyId, LoginKind, cancellationToken).ConfigureAwait(false);
        if (ceremony is null)
        {
            return await audit.RefuseAsync(context, Failed, 400, "ceremony_invalid", "The sign-in ceremony is unknown, already used, or expired. Start again with /session/login/begin.").ConfigureAwait(false);
        }

        var state = JsonSerializer.Deserialize<CeremonyState>(ceremony.State)!;
        var credential = AuthenticationCredential.Parse(request.Credential);
        if (!credential.Succeeded)
        {
            return await audit.RefuseAsync(context, Failed, 400, credential.Failure.Code, credential.Failure.Message).ConfigureAwait(false);
        }

        var key = await accounts.FindAuthenticatorAsync(credential.Value.RawId, cancellationToken).ConfigureAwait(false);
        if (key is null || (state.AccountId is { } expected && key.AccountId != expected))
        {
            return await audit.RefuseAsync(context, Failed, 401, "credential_unknown", "This security key is not registered here (or not for that account).").ConfigureAwait(false);
        }

        var account = await accounts.GetAccountAsync(key.AccountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return await audit.RefuseAsync(context, Failed, 401, "credential_unknown", "This security key is not registered here.").ConfigureAwait(false);
        }

        if (!limiter.TryAcquire(account.Name, out var wait))
        {
            await audit.RecordAsync(context, AuditActions.RateLimited, AuditOutcomes.Denied, "signin.account", account.Name, AuditTrail.PathDetail(context)).ConfigureAwait(false);
            return RateLimitPolicies.TooMany(wait);
        }

        var verified = rp.VerifyAssertion(credential.Value, new AssertionCeremony
        {
            Challenge = ceremony.Challenge,
            UserIdentified = state.AccountId is not null,
            AllowCredentials = [.. state.AllowCredentials.Select(a => Base64Url.TryDecode(a, out var b) ? b : [])],
        }, new StoredCredential
        {
            CredentialId = key.CredentialId,
            PublicKey = key.PublicKey,
            UserHandle = account.UserHandle,
            SignCount = (uint)key.SignCount,
            BackupEligible = key.BackupEligible,
        });
        if (!verified.Succeeded)
        {
            return await audit.RefuseAsync(context, Failed, 401, verified.Failure.Code, verified.Failure.Message, key.Id.ToString(), account.Name).ConfigureAwait(false);
        }

        // Recorded before it happens, naming the session it will open; then done whatever the client does meanwhile.
        var sessionId = Guid.NewGuid();
        var details = new Dictionary<string, string>
        {
            ["session_id"] = sessionId.ToString(),
            ["user_verified"] = verified.Value.UserVerified ? "true" : "false",
            ["sign_count"] = verified.Value.SignCount.ToString(CultureInfo.InvariantCulture),
        };
        if (verified.Value.PossibleClone)
        {
            details["possible_clone"] = "true";
        }

        await audit.RecordAllAsync(
            AuditTrail.For(context, AuditActions.SignInSucceeded, AuditOutcomes.Success, key.Id.ToString(), account.Name, details),
            AuditTrail.For(context, AuditActions.SessionCreated, AuditOutcomes.Success, sessionId.ToString(), account.Name, new Dictionary<string, string>
            {
                ["authenticator_id"] = key.Id.ToString(),
                ["user_verified"] = verified.Value.UserVerified ? "true" : "false",
            })).ConfigureAwait(false);
        await accounts.RecordAssertionAsync(key.Id, verified.Value.SignCount, verified.Value.BackedUp, CancellationToken.None).ConfigureAwait(false);
        var (token, info, idle) = await sessions.CreateAsync(
            account, key.Id, verified.Value.UserVerified, context.Connection.RemoteIpAddress?.ToString(), sessionId, CancellationToken.None).ConfigureAwait(false);
        context.Response.Cookies.Append(SessionAuthenticationDefaults.CookieName, token, new CookieOptions
        {
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = info.ExpiresAt,
        });
        return Results.Json(new Dictionary<string, object>
        {
            ["session_token"] = token,
            ["expires_at"] = info.ExpiresAt,
            ["idle_expires_at"] = idle,
            ["account"] = account.Name,
            ["user_verified"] = info.UserVerified,
        });
    }

    private static IResult Status(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<SessionFeature>();
        var s = feature.Session;
        return Results.Json(new Dictionary<string, object>
        {
            ["active"] = true,
            ["account"] = s.AccountName,
            ["role"] = s.Role,
            ["session_id"] = s.Id,
            ["user_verified"] = s.UserVerified,
            ["created_at"] = s.CreatedAt,
            ["expires_at"] = s.ExpiresAt,
            ["idle_expires_at"] = feature.IdleExpiresAt,
        });
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, SessionService sessions, IAuditLog audit)
    {
        var current = context.Features.GetRequiredFeature<SessionFeature>().Session;
        await audit.RecordAsync(context, AuditActions.SessionEnded, AuditOutcomes.Success, current.Id.ToString(), details: new Dictionary<string, string> { ["reason"] = "logout" }).ConfigureAwait(false);
        await sessions.EndAsync(SessionAuthenticationHandler.ReadToken(context.Request), CancellationToken.None).ConfigureAwait(false);
        context.Response.Cookies.Delete(SessionAuthenticationDefaults.CookieName, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        return Results.Json(new Dictionary<string, object> { ["ended"] = true });
    }

    private static async Task<IResult> ListAsync(HttpContext context, SessionService sessions, CancellationToken cancellationToken)
    {
        var current = context.Features.GetRequiredFeature<SessionFeature>().Session;
        var list = await sessions.ListAsync(current.AccountId, cancellationToken).ConfigureAwait(false);
        return Results.Json(list.Select(s => new Dictionary<string, object?>
        {
            ["id"] = s.Id,
            ["current"] = s.Id == current.Id,
            ["created_at"] = DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAt),
            ["expires_at"] = DateTimeOffset.FromUnixTimeMilliseconds(s.ExpiresAt),
            ["user_verified"] = s.UserVerified,
            ["client_address"] = s.ClientAddress,
        }));
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext context, SessionService sessions, IAuditLog audit, CancellationToken cancellationToken)
    {
        var current = context.Features.GetRequiredFeature<SessionFeature>().Session;
        if (!await sessions.IsRevocableAsync(current.AccountId, id, cancellationToken).ConfigureAwait(false))
        {
            return await audit.RefuseAsync(context, AuditActions.SessionRevoked, 404, "session_not_found", "No live session of yours has that id.", id.ToString()).ConfigureAwait(false);
        }

        await audit.RecordAsync(context, AuditActions.SessionRevoked, AuditOutcomes.Success, id.ToString(), details: new Dictionary<string, string> { ["by_session"] = current.Id.ToString() }).ConfigureAwait(false);

        // It may have ended meanwhile (a logout elsewhere): either way it is no longer live.
        await sessions.RevokeAsync(current.AccountId, id, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }
}
