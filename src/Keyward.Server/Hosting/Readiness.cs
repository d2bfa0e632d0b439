using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Http;
using Keyward.Server.Keys;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Server.Hosting;

/// <summary>
/// <c>GET /readyz</c>, for a load balancer: 200 when this node can serve, 503 <c>not_ready</c> naming what failed. The
/// checks: the database takes a write transaction (begun and rolled back: on SQLite <c>BEGIN IMMEDIATE</c>, so a
/// database held locked by another process fails it within <c>Storage:BusyTimeout</c>), and the audit log's last write
/// did not fail (without it Keyward refuses almost everything with 503 <c>audit_unavailable</c>); on PostgreSQL also that
/// no shared signing key that would sign now is past its <c>retire_at</c>. <c>/healthz</c> stays
/// the liveness check (the process answers). One check runs at a time and its answer is reused for a second, so a
/// flood of probes costs the database at most one transaction a second.
/// </summary>
internal sealed class Readiness(KeywardDatabase database, IAuditLog audit, ClusterSigningKeys keys, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _one = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<string> Failures)? _last;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/readyz", async (HttpContext context, Readiness readiness) =>
        {
            var failures = await readiness.CheckAsync(context.RequestAborted).ConfigureAwait(false);
            return failures.Count == 0
                ? Results.Json(new HealthResponse("ready"), HttpJsonContext.Relaxed.HealthResponse)
                : Problems.Result(KeywardErrors.NotReady.Saying("Not ready: " + string.Join("; ", failures) + "."));
        }).AllowAnonymous().Produces<HealthResponse>().Refuses(KeywardErrors.NotReady);

    /// <summary>What keeps this node from serving; empty when it can.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is { } last && time.GetUtcNow() - last.At < Reuse)
            {
                return last.Failures;
            }

            List<string> failures = [];
            if (!await DatabaseWritableAsync().ConfigureAwait(false))
            {
                failures.Add("the database did not take a write transaction (locked or unreachable)");
            }

            if (!audit.IsWriting)
            {
                failures.Add("the audit log's last write failed");
            }

            // A shared signing key past retire_at: this node refuses to sign (signing_key_retired) until it reads a successor.
            failures.AddRange(keys.RetiredSigners());

            _last = (time.GetUtcNow(), failures);
            return failures;
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();

    private async Task<bool> DatabaseWritableAsync()
    {
        try
        {
            await using var db = database.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("SELECT 1", CancellationToken.None).ConfigureAwait(false);
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // Any failure of the database means not ready; the answer names it, the cause is the database's.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
