using System.Text.Json;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Keyward.Core.Audit;

/// <summary>
/// Reads the audit log: pages of events, the tree's size and roots, and inclusion and consistency proofs computed from
/// the stored subtree hashes in one query of O(log n) rows each (no leaf is re-hashed).
/// </summary>
public sealed class AuditReader(KeywardDatabase database)
{
    /// <summary>One page of events matching a query, in sequence order.</summary>
    public async Task<AuditEventPage> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, AuditQuery.MaxLimit);
        await using var db = database.CreateContext();
        var rows = db.AuditEvents.AsNoTracking();
        if (query.After is { } after)
        {
            rows = rows.Where(e => e.Sequence > after);
        }

        if (query.From is { } from)
        {
            var ms = from.ToUnixTimeMilliseconds();
            rows = rows.Where(e => e.Time >= ms);
        }

        if (query.To is { } to)
        {
            var ms = to.ToUnixTimeMilliseconds();
            rows = rows.Where(e => e.Time < ms);
        }

        if (query.Actor is { } actor)
        {
            rows = rows.Where(e => e.Actor == actor);
        }

        if (query.Action is { } action)
        {
            rows = rows.Where(e => e.Action == action);
        }

        if (query.Outcome is { } outcome)
        {
            rows = rows.Where(e => e.Outcome == outcome);
        }

        if (query.Target is { } target)
        {
            rows = rows.Where(e => e.Target == target);
        }

        if (query.Party is { } party)
        {
            rows = rows.Where(e => e.Actor == party || e.Target == party);
        }

        if (query.Latest)
        {
            var newest = await rows.OrderByDescending(e => e.Sequence).Take(query.Limit).ToListAsync(cancellationToken).ConfigureAwait(false);
            newest.Reverse();
            return new AuditEventPage([.. newest.Select(ToEvent)], null);
        }

        var page = await rows.OrderBy(e => e.Sequence).Take(query.Limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var more = page.Count > query.Limit;
        var events = page.Take(query.Limit).Select(ToEvent).ToList();
        return new AuditEventPage(events, more ? events[^1].Sequence : null);
    }

    /// <summary>The number of events in the log.</summary>
    public async Task<long> GetSizeAsync(CancellationToken cancellationToken = default)
    {
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await AuditSql.SizeAsync(db.Database.GetDbConnection(), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The root hash of the first <paramref name="size"/> events, or null when the log is smaller.</summary>
    public async Task<byte[]?> GetRootAsync(long size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var nodes = await ReadAsync(size, MerkleTree.RootNodes(size), cancellationToken).ConfigureAwait(false);
        return nodes is null ? null : MerkleTree.RootHash(size, id => nodes[id]);
    }

    /// <summary>The audit path of event <paramref name="sequence"/> in the tree of <paramref name="treeSize"/> events, or null when out of range.</summary>
    public async Task<AuditInclusionProof?> GetInclusionProofAsync(long sequence, long treeSize, CancellationToken cancellationToken = default)
    {
        if (sequence < 0 || sequence >= treeSize)
        {
            return null;
        }

        var leaf = new MerkleNodeId(0, sequence);
        var ids = new HashSet<MerkleNodeId>(MerkleTree.NodesOf(MerkleTree.InclusionRanges(sequence, treeSize))) { leaf };
        var nodes = await ReadAsync(treeSize, ids, cancellationToken).ConfigureAwait(false);
        return nodes is null ? null : new AuditInclusionProof(sequence, treeSize, nodes[leaf], MerkleTree.InclusionProof(sequence, treeSize, id => nodes[id]));
    }

    /// <summary>The consistency proof between tree sizes <paramref name="first"/> ≤ <paramref name="second"/>, or null when out of range.</summary>
    public async Task<AuditConsistencyProof?> GetConsistencyProofAsync(long first, long second, CancellationToken cancellationToken = default)
    {
        if (first < 0 || second < first)
        {
            return null;
        }

        var nodes = await ReadAsync(second, MerkleTree.NodesOf(MerkleTree.ConsistencyRanges(first, second)), cancellationToken).ConfigureAwait(false);
        return nodes is null ? null : new AuditConsistencyProof(first, second, MerkleTree.ConsistencyProof(first, second, id => nodes[id]));
    }

    internal static AuditEvent ToEvent(AuditEventEntity e) => new()
    {
        Sequence = e.Sequence,
        Time = e.Time,
        TenantId = e.TenantId,
        Actor = e.Actor,
        Action = e.Action,
        Target = e.Target,
        Outcome = e.Outcome,
        ClientAddress = e.ClientAddress,
        Details = ReadDetails(e.Details),
        LeafHash = e.LeafHash,
    };

    /// <summary>The stored details; a row whose details are no longer a JSON object of strings (edited) shows them raw.</summary>
    private static Dictionary<string, string> ReadDetails(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string> { ["(unreadable)"] = json };
        }
    }

    /// <summary>
    /// Reads the nodes in one query; null when the log holds fewer than <paramref name="treeSize"/> events. Every node set
    /// asked for here includes a node that ends at <paramref name="treeSize"/> (or is empty), so all of them being
    /// present proves the size without a second query.
    /// </summary>
    private async Task<Dictionary<MerkleNodeId, byte[]>?> ReadAsync(long treeSize, IReadOnlyCollection<MerkleNodeId> ids, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        var nodes = await AuditSql.ReadNodesAsync(connection, null, ids, cancellationToken).ConfigureAwait(false);
        if (nodes.Count == ids.Count && ids.Count > 0)
        {
            return nodes;
        }

        if (treeSize > await AuditSql.SizeAsync(connection, null, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var missing = ids.FirstOrDefault(id => !nodes.ContainsKey(id));
        return nodes.Count == ids.Count
            ? nodes
            : throw new InvalidOperationException($"The audit tree is missing node {missing}; the store is damaged.");
    }
}
