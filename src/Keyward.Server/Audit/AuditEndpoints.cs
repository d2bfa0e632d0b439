using System.Globalization;
using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Server.Http;

namespace Keyward.Server.Audit;

/// <summary>
/// The audit API: events (filtered, paged), signed tree heads, inclusion and consistency proofs (admins only), and the
/// tree-head public key (anyone). Hashes and signatures are standard base64; docs/audit.md describes every field.
/// </summary>
internal static class AuditEndpoints
{
    /// <summary>The latest signed tree head, for anyone (outside systems keep copies).</summary>
    public const string PublicTreeHeadPath = "/.well-known/keyward/sth";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit/key", GetKey).AllowAnonymous().Produces<AuditKeyResponse>();
        app.MapGet(PublicTreeHeadPath, PublicTreeHeadAsync).AllowAnonymous().Produces<TreeHeadResponse>().Refuses(KeywardErrors.AuditUnavailable);
        var audit = app.MapGroup("/api/audit").RequireAuthorization(AuthorizationPolicies.Admin);
        audit.MapGet("/events", ListAsync).Produces<AuditEventsResponse>().Refuses(KeywardErrors.AuditQueryInvalid)
            .WithQueryParameters("from", "to", "actor", "action", "outcome", "after", "limit", "latest");
        audit.MapGet("/sth", TreeHeadAsync).Produces<TreeHeadResponse>();
        audit.MapGet("/proof/inclusion", InclusionAsync).Produces<InclusionProofResponse>().Refuses(KeywardErrors.AuditRangeInvalid)
            .WithQueryParameters("sequence", "tree_size");
        audit.MapGet("/proof/consistency", ConsistencyAsync).Produces<ConsistencyProofResponse>().Refuses(KeywardErrors.AuditRangeInvalid)
            .WithQueryParameters("first", "second");
        // Same-origin only: a sibling origin's <img> could otherwise make an admin's browser read the whole log, hold the
        // one-export gate and record audit.exported, in a loop.
        audit.MapGet("/export", ExportAsync).Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .Refuses(KeywardErrors.AuditExportBusy, KeywardErrors.AuditUnavailable)
            .WithMetadata(SameOriginReadsOnly.Instance);
    }

    /// <summary>
    /// The whole log as <c>keyward audit export</c> writes it (JSON lines: header with this node's tree-head key, events,
    /// signed tree heads, proofs), streamed. A tree head is signed first, so the export covers every event recorded so
    /// far. One export at a time per node; the export itself is an audited decision.
    /// </summary>
    private static async Task<IResult> ExportAsync(
        HttpContext context, AuditExporter exporter, AuditTreeHeads heads, AuditKeys keys, AuditExportGate gate, IAuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!gate.TryEnter())
        {
            return await audit.RefuseAsync(context, AuditActions.AuditExported, KeywardErrors.AuditExportBusy).ConfigureAwait(false);
        }

        try
        {
            // Recorded first (decide, record, act), so the tree head signed next covers the export's own event too.
            await audit.RecordAsync(context, AuditActions.AuditExported, AuditOutcomes.Success).ConfigureAwait(false);
            try
            {
                await heads.SignIfGrownAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException)
            {
                return Problems.Result(KeywardErrors.AuditUnavailable.Saying("The audit log could not sign a tree head now, so the export would not cover every event; try again shortly."));
            }

            var name = $"keyward-audit-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}.jsonl";
            context.Response.ContentType = "application/x-ndjson";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            var history = await keys.HistoryAsync(cancellationToken).ConfigureAwait(false);
            await exporter.ExportAsync(context.Response.Body, history, cancellationToken).ConfigureAwait(false);
            return Results.Empty;
        }
        finally
        {
            gate.Exit();
        }
    }

    private static IResult GetKey(AuditKeys keys, HttpContext context)
    {
        var key = keys.Current;
        context.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Json(new AuditKeyResponse(key.KeyId, AuditSigningKey.Algorithm, key.PublicKeyPem, key.ToJwk()), AuditJsonContext.Relaxed.AuditKeyResponse);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, AuditReader reader, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!TryInstant(query["from"], out var from) || !TryInstant(query["to"], out var to))
        {
            return Invalid("from and to are ISO 8601 instants, e.g. 2026-01-31T12:00:00Z.");
        }

        if (!TryLong(query["after"], out var after) || after < 0)
        {
            return Invalid("after is a sequence number (0 or more): the next cursor of the previous page.");
        }

        if (!TryLong(query["limit"], out var limit) || limit is < 1 or > AuditQuery.MaxLimit)
        {
            return Invalid($"limit is 1 to {AuditQuery.MaxLimit}.");
        }

        var flag = query["latest"];
        bool? latest = flag.Count == 0 ? false : flag.Count == 1 && bool.TryParse(flag[0], out var yes) ? yes : null;
        if (latest is null || (latest.Value && after is not null))
        {
            return Invalid("latest is true or false (the newest limit events), and takes no after.");
        }

        string? actor = query["actor"], action = query["action"], outcome = query["outcome"];
        if (actor?.Length > 200 || action?.Length > 100 || outcome?.Length > 64)
        {
            return Invalid("actor is at most 200 characters, action at most 100 and outcome at most 64.");
        }

        var page = await reader.ListAsync(
            new AuditQuery { From = from, To = to, After = after, Limit = (int)(limit ?? 100), Actor = actor, Action = action, Outcome = outcome, Latest = latest.Value },
            cancellationToken).ConfigureAwait(false);
        return Results.Json(new AuditEventsResponse([.. page.Events.Select(Event)], page.Next?.ToString(CultureInfo.InvariantCulture)), AuditJsonContext.Relaxed.AuditEventsResponse);
    }

    private static async Task<IResult> TreeHeadAsync(AuditTreeHeads heads, CancellationToken cancellationToken)
    {
        SignedTreeHead head;
        try
        {
            head = await heads.SignIfGrownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException or InvalidOperationException)
        {
            return Problems.Result(KeywardErrors.AuditUnavailable.Saying("The audit log could not sign a tree head now; try again shortly."));
        }

        return Results.Json(
            new TreeHeadResponse(head.TreeSize, Convert.ToBase64String(head.RootHash), head.Timestamp, head.KeyId, Convert.ToBase64String(head.Signature)),
            AuditJsonContext.Relaxed.TreeHeadResponse);
    }

    /// <summary>
    /// The latest signed head as stored, in the export's form; signs nothing (an unauthenticated request never writes).
    /// Cacheable for 10 s: heads are signed every <c>Keyward:Audit:TreeHeadInterval</c>. Read from the database at most
    /// once a second per node (<see cref="PublicTreeHead"/>).
    /// </summary>
    private static async Task<IResult> PublicTreeHeadAsync(HttpContext context, PublicTreeHead heads, CancellationToken cancellationToken)
    {
        SignedTreeHead? head;
        try
        {
            head = await heads.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException)
        {
            return Problems.Result(KeywardErrors.AuditUnavailable.Saying("The audit log cannot be read now; try again shortly."));
        }

        if (head is null)
        {
            return Problems.Result(KeywardErrors.AuditUnavailable.Saying("No tree head has been signed yet; try again shortly."));
        }

        context.Response.Headers.CacheControl = "public, max-age=10";
        return Results.Json(
            new TreeHeadResponse(head.TreeSize, Convert.ToBase64String(head.RootHash), head.Timestamp, head.KeyId, Convert.ToBase64String(head.Signature)),
            AuditJsonContext.Relaxed.TreeHeadResponse);
    }

    private static async Task<IResult> InclusionAsync(HttpRequest request, AuditReader reader, CancellationToken cancellationToken)
    {
        if (!TryLong(request.Query["sequence"], out var sequence) || !TryLong(request.Query["tree_size"], out var treeSize) || sequence is null || treeSize is null)
        {
            return Range("sequence and tree_size are required whole numbers.");
        }

        var proof = await reader.GetInclusionProofAsync(sequence.Value, treeSize.Value, cancellationToken).ConfigureAwait(false);
        return proof is null
            ? Range("Need 0 ≤ sequence < tree_size ≤ the number of events in the log.")
            : Results.Json(
                new InclusionProofResponse(proof.Sequence, proof.TreeSize, Convert.ToBase64String(proof.LeafHash), [.. proof.Path.Select(Convert.ToBase64String)]),
                AuditJsonContext.Relaxed.InclusionProofResponse);
    }

    private static async Task<IResult> ConsistencyAsync(HttpRequest request, AuditReader reader, CancellationToken cancellationToken)
    {
        if (!TryLong(request.Query["first"], out var first) || !TryLong(request.Query["second"], out var second) || first is null || second is null)
        {
            return Range("first and second are required whole numbers.");
        }

        var proof = first >= 1 ? await reader.GetConsistencyProofAsync(first.Value, second.Value, cancellationToken).ConfigureAwait(false) : null;
        return proof is null
            ? Range("Need 1 ≤ first ≤ second ≤ the number of events in the log.")
            : Results.Json(
                new ConsistencyProofResponse(proof.First, proof.Second, [.. proof.Path.Select(Convert.ToBase64String)]),
                AuditJsonContext.Relaxed.ConsistencyProofResponse);
    }

    /// <summary>An event as the export writes it: the canonical members, plus its leaf hash and a readable time.</summary>
    internal static AuditEventResponse Event(AuditEvent e) =>
        new(e.Sequence, e.Time, e.Timestamp, e.TenantId, e.Actor, e.Action, e.Target, e.Outcome, e.ClientAddress, e.Details, Convert.ToBase64String(e.LeafHash));

    private static bool TryInstant(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static bool TryLong(string? text, out long? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static IResult Invalid(string detail) => Problems.Result(KeywardErrors.AuditQueryInvalid.Saying(detail));

    private static IResult Range(string detail) => Problems.Result(KeywardErrors.AuditRangeInvalid.Saying(detail));
}
