using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Audit.Export;

/// <summary>
/// Writes the audit export straight from the database, read-only. Proofs are built from the <em>stored</em> leaf and
/// subtree hashes, never from the event rows, so an event changed in the database after it was recorded no longer
/// matches its own proof and <see cref="AuditExportVerifier"/> names it.
/// </summary>
public sealed class AuditExporter(KeywardDatabase database, TimeProvider time)
{
    /// <summary>Writes the export; returns the number of events and tree heads written.</summary>
    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="publicKeys">The tree-head keys to publish in the header, as DER SubjectPublicKeyInfo.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    public Task<(long Events, int TreeHeads)> ExportAsync(Stream output, IEnumerable<byte[]> publicKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        return ExportAsync(output, publicKeys.Select(k => new AuditExportKey(k)), cancellationToken);
    }

    /// <summary>Writes the export with the history of tree-head keys (each with its validity); returns the number of events and tree heads written.</summary>
    /// <param name="output">Where the JSON lines go.</param>
    /// <param name="keyHistory">Every tree-head key that signed a head of this log, oldest first.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    public async Task<(long Events, int TreeHeads)> ExportAsync(Stream output, IEnumerable<AuditExportKey> keyHistory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(keyHistory);
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();

        // One read transaction, so the heads, hashes and events all describe the same moment of the log; it takes no
        // write lock, so appends go on meanwhile.
        await using var transaction = await database.Dialect.BeginSnapshotReadAsync(connection, cancellationToken).ConfigureAwait(false);
        await db.Database.UseTransactionAsync(transaction, cancellationToken).ConfigureAwait(false);
        var heads = (await db.AuditTreeHeads.AsNoTracking().OrderBy(h => h.TreeSize).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(AuditTreeHeads.ToHead).ToList();
        var size = await AuditSql.SizeAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var anchor = heads.Count > 0 ? heads[^1].TreeSize : 0;
        var tree = await StoredTree.LoadAsync(connection, transaction, anchor, cancellationToken).ConfigureAwait(false);

        // The file is never embedded in HTML: keep non-ASCII text readable (JSON still escapes quotes and controls).
        var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("type", AuditExportFormat.HeaderType);
            writer.WriteString("format", AuditExportFormat.Name);
            writer.WriteNumber("version", AuditExportFormat.Version);
            writer.WriteString("exported_at", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteNumber("tree_size", size);
            writer.WriteStartArray("keys");
            foreach (var key in keyHistory)
            {
                writer.WriteStartObject();
                writer.WriteString("key_id", AuditSigningKey.KeyIdOf(key.PublicKey));
                writer.WriteString("algorithm", AuditSigningKey.Algorithm);
                writer.WriteBase64String("public_key", key.PublicKey);
                if (key.NotBefore is { } notBefore)
                {
                    writer.WriteNumber("not_before", notBefore.ToUnixTimeMilliseconds());
                }

                if (key.RetireAt is { } retireAt)
                {
                    writer.WriteNumber("retire_at", retireAt.ToUnixTimeMilliseconds());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await EndLineAsync(writer, output, cancellationToken).ConfigureAwait(false);

            SignedTreeHead? previous = null;
            foreach (var head in heads)
            {
                writer.WriteStartObject();
                writer.WriteString("type", AuditExportFormat.TreeHeadType);
                writer.WriteNumber("tree_size", head.TreeSize);
                writer.WriteBase64String("root_hash", head.RootHash);
                writer.WriteNumber("timestamp", head.Timestamp);
                writer.WriteString("key_id", head.KeyId);
                writer.WriteBase64String("signature", head.Signature);
                if (previous is not null)
                {
                    writer.WritePropertyName("consistency");
                    var path = StoredTree.Proof(() => MerkleTree.ConsistencyProof(previous.TreeSize, head.TreeSize, tree.Node));
                    if (path is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("from", previous.TreeSize);
                        WritePath(writer, path);
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndObject();
                await EndLineAsync(writer, output, cancellationToken).ConfigureAwait(false);
                previous = head;
            }

            long events = 0;
            await foreach (var row in db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                WriteEvent(writer, row, anchor, tree);
                await EndLineAsync(writer, output, cancellationToken).ConfigureAwait(false);
                events++;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (events, heads.Count);
        }
    }

    private static void WriteEvent(Utf8JsonWriter writer, AuditEventEntity row, long anchor, StoredTree tree)
    {
        writer.WriteStartObject();
        writer.WriteString("type", AuditExportFormat.EventType);
        writer.WriteStartObject("event");
        writer.WriteString("action", row.Action);
        writer.WriteString("actor", row.Actor);
        writer.WriteString("client", row.ClientAddress);
        writer.WritePropertyName("details");
        try
        {
            using var details = JsonDocument.Parse(row.Details);
            details.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            // Not JSON any more: written as text, so the verifier reports the event rather than the export failing.
            writer.WriteStringValue(row.Details);
        }

        writer.WriteString("outcome", row.Outcome);
        writer.WriteNumber("sequence", row.Sequence);
        writer.WriteString("target", row.Target);
        writer.WriteString("tenant", row.TenantId);
        writer.WriteNumber("time", row.Time);
        writer.WriteEndObject();
        writer.WriteBase64String("leaf_hash", row.LeafHash);
        writer.WritePropertyName("inclusion");
        var path = row.Sequence >= 0 && row.Sequence < anchor ? StoredTree.Proof(() => MerkleTree.InclusionProof(row.Sequence, anchor, tree.Node)) : null;
        if (path is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteNumber("tree_size", anchor);
            WritePath(writer, path);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WritePath(Utf8JsonWriter writer, byte[][] path)
    {
        writer.WriteStartArray("path");
        foreach (var hash in path)
        {
            writer.WriteBase64StringValue(hash);
        }

        writer.WriteEndArray();
    }

    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    private static async Task EndLineAsync(Utf8JsonWriter writer, Stream output, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        // Asynchronous: the output may be an HTTP response body, which refuses synchronous writes.
        await output.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
        writer.Reset(output);
    }

    /// <summary>The stored leaf and subtree hashes of the first <c>size</c> events, held in memory (64 bytes per event).</summary>
    private sealed class StoredTree
    {
        private readonly byte[][] _levels;
        private readonly bool[][] _present;

        private StoredTree(long size)
        {
            var levels = size == 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)size);
            _levels = new byte[levels][];
            _present = new bool[levels][];
            for (var level = 0; level < levels; level++)
            {
                var count = checked((int)(size >> level));
                _levels[level] = new byte[checked(count * MerkleTree.HashSize)];
                _present[level] = new bool[count];
            }
        }

        public static async Task<StoredTree> LoadAsync(DbConnection connection, DbTransaction transaction, long size, CancellationToken cancellationToken)
        {
            var tree = new StoredTree(size);
            if (size == 0)
            {
                return tree;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT 0, \"Sequence\", \"LeafHash\" FROM audit_events UNION ALL SELECT \"Level\", \"Index\", \"Hash\" FROM audit_nodes";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var level = Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
                var index = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
                var hash = (byte[])reader.GetValue(2);
                if (level >= 0 && level < tree._levels.Length && index >= 0 && index < tree._present[level].Length && hash.Length == MerkleTree.HashSize)
                {
                    hash.CopyTo(tree._levels[level], index * MerkleTree.HashSize);
                    tree._present[level][index] = true;
                }
            }

            return tree;
        }

        public byte[] Node(MerkleNodeId id) =>
            id.Level < _levels.Length && id.Index < _present[id.Level].Length && _present[id.Level][id.Index]
                ? _levels[id.Level].AsSpan(checked((int)(id.Index * MerkleTree.HashSize)), MerkleTree.HashSize).ToArray()
                : throw new KeyNotFoundException();

        /// <summary>A proof, or null when the store lacks a hash it needs (rows were deleted).</summary>
        public static byte[][]? Proof(Func<byte[][]> build)
        {
            try
            {
                return build();
            }
            catch (KeyNotFoundException)
            {
                return null;
            }
        }
    }
}
