using Keyward.Core.Audit;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Support;
using Keyward.Server.Agents;
using Keyward.Server.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Support;

/// <summary>
/// The viewer plane, <c>GET /viewer/v1/sessions/{id}</c> as a WebSocket. It accepts a join token (<c>kwj_</c>) and
/// nothing else, as <c>Authorization: Bearer</c> or <c>?join=</c>, in named steps: <see cref="ReadToken"/> (anything
/// not shaped as a join token is 401 <c>join_token_invalid</c>, counted per address, before any work) →
/// <see cref="JoinFailureLimiter"/> (an address group whose tokens keep failing is 429 <c>join_rate_limited</c> before
/// the database) → <see cref="RedeemAsync"/> (atomic, single use; expired, consumed and revoked are distinct 401s) → the token's session
/// must be the one asked for (403 <c>join_wrong_session</c>; the token is spent) → the login session that minted it must
/// still be live (401 <c>join_token_revoked</c>) → the support session must be open → a place under the caps → recorded
/// (<c>join.used</c>, fail closed) → upgraded and handed to the <see cref="ISupportRelay"/>.
/// </summary>
internal sealed class ViewerGate(
    JoinTokenService joins, SessionService logins, SupportSessionService supportSessions, ViewerRegistry viewers, ISupportRelay relay,
    IAuditLog audit, RefusalCounter refusals, RepeatedRefusals repeats, JoinFailureLimiter failures, ILogger<ViewerGate> logger)
{
    /// <summary>The limit's name in <c>rate_limit.hit</c> events.</summary>
    public const string FailureLimit = "viewer.join.address";

    /// <summary>The path of a support session's viewer socket.</summary>
    public const string Pattern = "/viewer/v1/sessions/{id:guid}";

    /// <summary>The query parameter a browser viewer (which cannot set headers on a WebSocket) puts the token in.</summary>
    public const string QueryParameter = "join";

    public async Task HandleAsync(HttpContext context, Guid id)
    {
        var target = id.ToString();
        if (ReadToken(context.Request) is not { } token)
        {
            await RefuseAsync(context, target, KeywardErrors.JoinTokenInvalid, known: false).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            // Not spent: the token is kept for the real upgrade.
            await Problems.WriteAsync(context, KeywardErrors.RequestInvalid.Saying("The viewer plane is a WebSocket: open it with an upgrade request.")).ConfigureAwait(false);
            return;
        }

        if (ReadTarget(context.Request.Query) is not { } streamTarget)
        {
            // Not spent either: the viewer fixes the query and tries again with the same token.
            await Problems.WriteAsync(context, KeywardErrors.RequestInvalid.Saying("Say what to reach: ?kind=tcp&port=1-65535 or ?kind=terminal&cols=1-1000&rows=1-1000.")).ConfigureAwait(false);
            return;
        }

        // Before the database: an address group whose tokens keep failing (forged ones are free to make) is held back.
        var group = AddressGroup.Of(context.Connection.RemoteIpAddress);
        var (wait, window) = await failures.TryReserveAsync(group, context.RequestAborted).ConfigureAwait(false);
        if (wait is not null)
        {
            await RateLimitedAsync(context, target, wait.Value).ConfigureAwait(false);
            return;
        }

        var redeemed = await RedeemAsync(token, context.RequestAborted).ConfigureAwait(false);
        if (!redeemed.Refused)
        {
            await failures.RefundAsync(group, window, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            await RefuseAsync(context, target, redeemed.Refusal.Error, known: redeemed.Refusal.Error != KeywardErrors.JoinTokenInvalid).ConfigureAwait(false);
            return;
        }

        var join = redeemed.Value;
        var details = new Dictionary<string, string> { ["join_token_id"] = join.Id.ToString(), ["login_session_id"] = join.LoginSessionId.ToString() };
        if (join.SupportSessionId != id)
        {
            details["token_support_session_id"] = join.SupportSessionId.ToString();
            await RefuseAsync(context, target, KeywardErrors.JoinWrongSession, known: true, details).ConfigureAwait(false);
            return;
        }

        var login = (await logins.InspectAsync([join.LoginSessionId], context.RequestAborted).ConfigureAwait(false))[join.LoginSessionId];
        if (!login.IsValid || logins.HasEndedOnThisNode(join.LoginSessionId))
        {
            details["login_session"] = login.Failure is { } failure ? SessionFailures.Code(failure) : "ended";
            await RefuseAsync(context, target, KeywardErrors.JoinTokenRevoked, known: true, details).ConfigureAwait(false);
            return;
        }

        if (await supportSessions.FindAsync(id, join.AccountId, context.RequestAborted).ConfigureAwait(false) is not { IsOpen: true } support)
        {
            await RefuseAsync(context, target, KeywardErrors.SupportSessionEnded, known: true, details).ConfigureAwait(false);
            return;
        }

        if (viewers.TryReserve(id, join.AccountId) is { } full)
        {
            await RefuseAsync(context, target, full.Error, known: true, details).ConfigureAwait(false);
            return;
        }

        try
        {
            await ServeAsync(context, join, login.Session!.AccountName, support.MachineId, streamTarget, details).ConfigureAwait(false);
        }
        finally
        {
            viewers.Release(id, join.AccountId);
        }
    }

    /// <summary>
    /// The presented credential: the Bearer value, else <c>?join=</c>; null unless it is shaped as a join token. An
    /// Authorization header without the <c>Bearer</c> scheme is refused, not read as a bare token (RFC 9110 §11.6.2
    /// requires a scheme; accepting a bare value would make the header's meaning depend on what it happens to hold).
    /// </summary>
    internal static string? ReadToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var presented = authorization.Length > 0
            ? (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : string.Empty)
            : request.Query[QueryParameter].ToString();
        return SecretToken.IsWellFormed(CredentialKind.Join, presented) ? presented : null;
    }

    // What the client presented, whatever its kind (for grouping repeats; only its hash is kept).
    private static string Presented(HttpRequest request) =>
        request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString()
        : request.Query.ContainsKey(QueryParameter) ? request.Query[QueryParameter].ToString()
        : request.Headers.Cookie.ToString();

    /// <summary>Consumes the token, or the refusal that says why not.</summary>
    internal async Task<Outcome<JoinToken>> RedeemAsync(string token, CancellationToken cancellationToken)
    {
        var redeemed = await joins.RedeemAsync(token, cancellationToken).ConfigureAwait(false);
        return redeemed.Succeeded ? redeemed.Token! : new Refusal(KeywardErrors.From(redeemed.Failure!.Value), SupportAuditActions.JoinRefused);
    }

    /// <summary>What the viewer asked to reach: <c>kind=tcp&amp;port=N</c> or <c>kind=terminal&amp;cols=C&amp;rows=R</c>; null when malformed.</summary>
    internal static StreamTarget? ReadTarget(IQueryCollection query)
    {
        static int? Number(IQueryCollection query, string name, int max) =>
            query[name].Count == 1 && int.TryParse(query[name].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n : null;

        return query["kind"].ToString() switch
        {
            "tcp" when Number(query, "port", 65535) is { } port => new StreamTarget.Tcp(port),
            "terminal" when Number(query, "cols", 1000) is { } cols && Number(query, "rows", 1000) is { } rows => new StreamTarget.Terminal(cols, rows),
            _ => null,
        };
    }

    private async Task ServeAsync(HttpContext context, JoinToken join, string accountName, Guid? machineId, StreamTarget streamTarget, Dictionary<string, string> details)
    {
        var target = join.SupportSessionId.ToString();
        try
        {
            // Fail closed, and first: no viewer socket opens that the log does not hold.
            await audit.RecordAsync(Record(context, accountName, SupportAuditActions.JoinUsed, AuditOutcomes.Success, target, details), CancellationToken.None).ConfigureAwait(false);
        }
        catch (AuditUnavailableException e)
        {
            SupportLog.AuditFailed(logger, SupportAuditActions.JoinUsed, e);
            await Problems.WriteAsync(context, KeywardErrors.AuditUnavailable).ConfigureAwait(false);
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromSeconds(30),
            DangerousEnableCompression = false,
        }).ConfigureAwait(false);
        using var viewer = new ViewerConnection(socket, join.SupportSessionId, join.AccountId, join.LoginSessionId)
        {
            AccountName = accountName,
            MachineId = machineId,
            Target = streamTarget,
        };
        viewers.Add(viewer);
        try
        {
            // A logout or an end on this node between the checks above and Add fired before the registry knew this socket.
            if (logins.HasEndedOnThisNode(join.LoginSessionId))
            {
                await viewer.CloseAsync(ViewerRegistry.LoginSessionEnded, "login session ended", "session_ended").ConfigureAwait(false);
            }
            else if (await supportSessions.FindAsync(join.SupportSessionId, join.AccountId, CancellationToken.None).ConfigureAwait(false) is not { IsOpen: true })
            {
                await viewer.CloseAsync(ViewerRegistry.SupportSessionEnded, "support session ended", "support_ended").ConfigureAwait(false);
            }

            var cause = await relay.RunAsync(viewer, context.RequestAborted).ConfigureAwait(false);
            if (viewer.ClosedBy is null)
            {
                // The viewer closed first: answer its close frame.
                await viewer.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, string.Empty, cause).ConfigureAwait(false);
            }

            SupportLog.ViewerClosed(logger, viewer.Id, join.SupportSessionId, viewer.ClosedBy ?? cause);
        }
        finally
        {
            viewers.Remove(viewer);
        }
    }

    private async Task RateLimitedAsync(HttpContext context, string target, TimeSpan wait)
    {
        var error = KeywardErrors.JoinRateLimited;
        SupportLog.ViewerRefused(logger, target, error.Code);
        try
        {
            // The first hit per address group and interval is one event, the rest a count (RepeatedRefusals).
            var record = AuditTrail.For(context, AuditActions.RateLimited, AuditOutcomes.Denied, FailureLimit, details: AuditTrail.PathDetail(context));
            await repeats.RecordAsync(FailureLimit, context.Connection.RemoteIpAddress, record).ConfigureAwait(false);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (AuditUnavailableException e)
        {
            SupportLog.AuditFailed(logger, AuditActions.RateLimited, e);
            error = KeywardErrors.AuditUnavailable;
        }

        await Problems.WriteAsync(context, error).ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext context, string target, KeywardError error, bool known, Dictionary<string, string>? details = null)
    {
        SupportLog.ViewerRefused(logger, target, error.Code);

        // A session Keyward knows (live, or refused by the session handler as expired, revoked…) presented on the viewer
        // plane is a real credential in the wrong place: one event each, naming it, as the WebSocket gate does.
        var noted = context.Features.Get<RefusalFeature>()?.Error;
        var session = context.Features.Get<SessionFeature>();
        var realCredential = session is not null || (noted is not null && !UnauthenticatedRefusals.Covers(noted));
        if (!known && !realCredential)
        {
            // No credential Keyward issued behind it (none, another kind, garbage, forged): counted per address and
            // interval, like every refusal without a credential, so a flood costs the log one event per address.
            refusals.Count(context, SupportAuditActions.JoinRefused, target, error);
        }
        else
        {
            var all = new Dictionary<string, string>(details ?? []) { ["code"] = error.Code };
            if (!known)
            {
                all["credential_refused"] = session is not null ? "session_on_viewer_plane" : noted!.Code;
            }

            try
            {
                // The first refusal of this credential from this address in an interval is one event, the rest a count:
                // a spent or revoked token presented again and again does not write an event per attempt.
                var record = Record(context, session?.Session.AccountName ?? "anonymous", SupportAuditActions.JoinRefused, AuditOutcomes.Denied, target, all);
                await repeats.RecordAsync(string.Concat(error.Code, " ", Presented(context.Request)), context.Connection.RemoteIpAddress, record).ConfigureAwait(false);
            }
            catch (AuditUnavailableException e)
            {
                SupportLog.AuditFailed(logger, SupportAuditActions.JoinRefused, e);
                error = KeywardErrors.AuditUnavailable;
            }
        }

        if (error.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"keyward\"";
        }

        if (error.Code == KeywardErrors.ViewerLimit.Code)
        {
            context.Response.Headers.RetryAfter = "5";
        }

        await Problems.WriteAsync(context, error).ConfigureAwait(false);
    }

    private static AuditRecord Record(HttpContext context, string actor, string action, string outcome, string target, IReadOnlyDictionary<string, string> details) =>
        AuditTrail.For(new Caller(actor, context.Connection.RemoteIpAddress?.ToString()), action, outcome, target, details: details);
}
