using System.Globalization;
using Keyward.Core.Audit;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// GET /api/account/events: the signed-in person's own recent security events, newest last: those whose actor or
/// target is their account (their sign-ins, keys, sessions, and what an admin or a refusal did to their account).
/// Anyone signed in; never another account's events (the whole log is the admins' audit API).
/// </summary>
internal static class OwnEventsEndpoints
{
    /// <summary>The most events one answer holds.</summary>
    public const int MaxLimit = 100;

    private const int DefaultLimit = 20;

    // The actors Keyward writes for no account: an account that happens to bear one of these names must not read the
    // anonymous refusals (other people's addresses) or the system's own events as its own.
    private static readonly HashSet<string> PseudoActors = new(StringComparer.Ordinal) { "anonymous", "system", "internal" };

    // The actors of enrolled machines and capability holders (AgentEndpoints.MachineActor, CapabilityMinting.AuditActor):
    // "machine:" and "service:" followed by an id are valid account names, and must not read those actors' events either.
    private static readonly string[] PseudoActorPrefixes = ["machine:", "service:"];

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/account/events", ListAsync).RequireAuthorization(AuthorizationPolicies.Session)
            .Produces<AuditEventsResponse>().Refuses(KeywardErrors.AuditQueryInvalid).WithQueryParameters("limit");

    private static async Task<IResult> ListAsync(HttpContext context, AuditReader reader, CancellationToken cancellationToken)
    {
        var text = context.Request.Query["limit"].ToString();
        var limit = DefaultLimit;
        if (text.Length > 0 && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Problems.Result(KeywardErrors.AuditQueryInvalid.Saying($"limit is 1 to {MaxLimit}."));
        }

        var name = context.Features.GetRequiredFeature<SessionFeature>().Session.AccountName;
        var query = PseudoActors.Contains(name) || PseudoActorPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
            ? new AuditQuery { Target = name, Limit = limit, Latest = true }
            : new AuditQuery { Party = name, Limit = limit, Latest = true };
        var page = await reader.ListAsync(query, cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new AuditEventsResponse([.. page.Events.Select(AuditEndpoints.Event)], null), AuditJsonContext.Relaxed.AuditEventsResponse);
    }
}
