using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keyward.Core.Audit;

/// <summary>
/// Issues and reads signed tree heads (<c>audit_tree_heads</c>). A head is signed only when the log grew since the
/// latest one; heads are never rewritten, so each later head extends the earlier ones (checked by consistency proofs).
/// Signing runs under an advisory lock (<see cref="AuditSql.TreeHeadLockKey"/>), so the nodes on one PostgreSQL database
/// sign one chain of heads between them, each extending the one before whichever node signed it.
/// </summary>
public sealed partial class AuditTreeHeads : IDisposable
{
    private readonly KeywardDatabase _database;
    private readonly AuditReader _reader;
    private readonly Func<AuditSigningKey> _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the service.</summary>
    public AuditTreeHeads(KeywardDatabase database, AuditReader reader, AuditSigningKey key, TimeProvider time, ILogger<AuditTreeHeads>? logger = null)
        : this(database, reader, () => key, time, logger)
    {
    }

    /// <summary>Creates the service with a key that may change (a rotation): <paramref name="key"/> is asked at every signing.</summary>
    public AuditTreeHeads(KeywardDatabase database, AuditReader reader, Func<AuditSigningKey> key, TimeProvider time, ILogger<AuditTreeHeads>? logger = null)
    {
        _database = database;
        _reader = reader;
        _key = key;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The key that signs heads now.</summary>
    public AuditSigningKey Key => _key();

    /// <summary>The latest signed head, or null before the first.</summary>
    public async Task<SignedTreeHead?> GetLatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        var row = await db.AuditTreeHeads.AsNoTracking().OrderByDescending(h => h.TreeSize).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToHead(row);
    }

    /// <summary>Every signed head, oldest first.</summary>
    public async Task<IReadOnlyList<SignedTreeHead>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = _database.CreateContext();
        var rows = await db.AuditTreeHeads.AsNoTracking().OrderBy(h => h.TreeSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToHead)];
    }

    /// <summary>
    /// Signs and stores a head for the log as it is now, unless the latest head already covers it (then returns that
    /// one). The first call on an empty log signs the empty tree.
    /// </summary>
    public async Task<SignedTreeHead> SignIfGrownAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // On PostgreSQL every node signs under one advisory lock, and reads the latest head only once it holds it. On
            // SQLite (one node; _gate already makes this process's signers take turns) the reads run outside the
            // process-wide write gate, which is taken only around the insert, so other writes do not wait behind them.
            await using var db = _database.CreateContext();
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var locked = new LateTransaction(db, _database, cancellationToken);
            if (_database.Provider != StorageProvider.Sqlite)
            {
                await locked.BeginAsync().ConfigureAwait(false);
            }

            var latestRow = await db.AuditTreeHeads.AsNoTracking().OrderByDescending(h => h.TreeSize).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var latest = latestRow is null ? null : ToHead(latestRow);
            var size = await _reader.GetSizeAsync(cancellationToken).ConfigureAwait(false);
            if (latest is not null && latest.TreeSize >= size)
            {
                await locked.CommitAsync().ConfigureAwait(false);
                return latest;
            }

            var root = await _reader.GetRootAsync(size, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The audit log shrank while a tree head was being signed.");

            // RFC 9162 §2.1.4: a new head must extend the latest one. Events (and the tree's stored nodes) rewritten in
            // the database behind Keyward's back would otherwise get a fresh signature at the next head, and then verify.
            if (latest is { TreeSize: > 0 } previous)
            {
                var consistency = await _reader.GetConsistencyProofAsync(previous.TreeSize, size, cancellationToken).ConfigureAwait(false);
                if (consistency is null || !MerkleTree.VerifyConsistency(previous.TreeSize, size, consistency.Path, previous.RootHash, root))
                {
                    LogRewritten(_logger, previous.TreeSize, size);
                    throw new InvalidOperationException(
                        $"The stored audit tree of {size} events does not extend the signed tree head of {previous.TreeSize}: the log was changed in the database. No tree head is signed until it is restored from a backup; run keyward audit verify on an export.");
                }
            }


            // Timestamps never go backwards along the heads, whatever the clocks of several nodes say.
            var timestamp = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), latest?.Timestamp ?? 0);
            var key = _key();
            var head = new SignedTreeHead(size, root, timestamp, key.KeyId, key.Sign(SignedTreeHead.SignatureInput(size, timestamp, root)));
            await locked.BeginAsync().ConfigureAwait(false);
            db.AuditTreeHeads.Add(new AuditTreeHeadEntity
            {
                TreeSize = head.TreeSize,
                RootHash = head.RootHash,
                Timestamp = head.Timestamp,
                KeyId = head.KeyId,
                Signature = head.Signature,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await locked.CommitAsync().ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // A node without the lock (an older version) signed this size first, and its head stands; anything else is a real failure.
                if (!await SizeSignedAsync(size, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                return (await GetLatestAsync(cancellationToken).ConfigureAwait(false))!;
            }

            LogSigned(_logger, head.TreeSize, head.KeyId);
            return head;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<bool> SizeSignedAsync(long size, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        return await db.AuditTreeHeads.AnyAsync(h => h.TreeSize == size, cancellationToken).ConfigureAwait(false);
    }

    // The serialized write transaction, begun where the provider needs it (once; a second BeginAsync does nothing).
    private sealed class LateTransaction(KeywardDbContext db, KeywardDatabase database, CancellationToken cancellationToken) : IAsyncDisposable
    {
        private System.Data.Common.DbTransaction? _transaction;

        public async Task BeginAsync()
        {
            if (_transaction is null)
            {
                _transaction = await database.Dialect.BeginSerializedWriteAsync(db.Database.GetDbConnection(), AuditSql.TreeHeadLockKey, cancellationToken).ConfigureAwait(false);
                await db.Database.UseTransactionAsync(_transaction, cancellationToken).ConfigureAwait(false);
            }
        }

        public Task CommitAsync() => _transaction?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

        public ValueTask DisposeAsync() => _transaction?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    internal static SignedTreeHead ToHead(AuditTreeHeadEntity row) => new(row.TreeSize, row.RootHash, row.Timestamp, row.KeyId, row.Signature);

    [LoggerMessage(AuditEventIds.TreeRewritten, LogLevel.Critical, "The stored audit tree of {TreeSize} events does not extend the signed head of {SignedSize} events: the log was changed in the database; no tree head is signed.")]
    private static partial void LogRewritten(ILogger logger, long signedSize, long treeSize);

    [LoggerMessage(AuditEventIds.TreeHeadSigned, LogLevel.Information, "Signed audit tree head at size {TreeSize} with key {KeyId}.")]
    private static partial void LogSigned(ILogger logger, long treeSize, string keyId);
}
