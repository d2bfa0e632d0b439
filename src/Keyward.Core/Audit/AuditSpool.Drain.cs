using System.Text.Json;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Keyward.Core.Audit;

public sealed partial class AuditSpool
{
    /// <summary>
    /// Appends every spooled event to <paramref name="log"/> in spool order, all in one append (all or none), then cuts
    /// them from the spool; events spooled meanwhile stay for the next drain. Exactly once across a crash between the
    /// append and the cut: events whose <c>spool_id</c> the log already holds are not appended again. Returns how many
    /// events were appended.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The log could not take them; the spool is unchanged.</exception>
    public async Task<int> DrainAsync(IAuditLog log, KeywardDatabase database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(database);
        await _drain.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<SpooledEvent> events;
            long end;
            await _file.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_length == 0)
                {
                    return 0;
                }

                (events, end) = Read();
                end = Math.Min(end, _length);
            }
            finally
            {
                _file.Release();
            }

            var recorded = await RecordedAsync(database, events, cancellationToken).ConfigureAwait(false);
            List<AuditRecord> missing = [.. events.Where(e => !recorded.Contains(e.Id)).Select(e => e.Record)];
            if (missing.Count > 0)
            {
                await log.RecordAllAsync(missing, CancellationToken.None).ConfigureAwait(false);
            }

            await CutAsync(end).ConfigureAwait(false);
            Drained(_logger, missing.Count, events.Count - missing.Count);
            return missing.Count;
        }
        finally
        {
            _drain.Release();
        }
    }

    /// <summary>The spool ids among <paramref name="events"/> that the log already holds (an earlier drain's append committed).</summary>
    private static async Task<HashSet<Guid>> RecordedAsync(KeywardDatabase database, List<SpooledEvent> events, CancellationToken cancellationToken)
    {
        var found = new HashSet<Guid>();
        if (events.Count == 0)
        {
            return found;
        }

        // Spooled events keep their original time and action, so the (Action, Time) index finds every candidate.
        var from = events.Min(e => e.Record.OriginalTime!.Value);
        var to = events.Max(e => e.Record.OriginalTime!.Value);
        List<string> actions = [.. events.Select(e => e.Record.Action).Distinct(StringComparer.Ordinal)];
        await using var db = database.CreateContext();
        var candidates = await db.AuditEvents.AsNoTracking()
            .Where(e => actions.Contains(e.Action) && e.Time >= from && e.Time <= to && e.Details.Contains("spool_id"))
            .Select(e => e.Details)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var details in candidates)
        {
            using var document = JsonDocument.Parse(details);
            if (document.RootElement.TryGetProperty("spool_id", out var id) && id.ValueKind == JsonValueKind.String && Guid.TryParse(id.GetString(), out var guid))
            {
                found.Add(guid);
            }
        }

        return found;
    }

    /// <summary>Removes the first <paramref name="end"/> bytes: empties the file, or rewrites what came after them and swaps it in.</summary>
    private async Task CutAsync(long end)
    {
        await _file.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (end == _length)
            {
                using var stream = OpenForWrite(FileMode.Open);
                stream.SetLength(0);
                stream.Flush(flushToDisk: true);
            }
            else
            {
                var rest = File.ReadAllBytes(_path).AsMemory((int)end, (int)(_length - end));
                using (var stream = OpenForWrite(FileMode.Create))
                {
                    stream.Write(rest.Span);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(TempPath, _path, overwrite: true);
            }

            Interlocked.Add(ref _length, -end);
        }
        finally
        {
            _file.Release();
        }
    }

    [LoggerMessage(AuditEventIds.SpoolDrained, LogLevel.Information, "Appended {Appended} spooled revocation events to the audit log ({AlreadyThere} were already there) and emptied the spool.")]
    private static partial void Drained(ILogger logger, int appended, int alreadyThere);
}
