using System.Security.Cryptography;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Keyward.Core.Cluster;

/// <summary>
/// The sending half of cluster-wide revocation: on PostgreSQL, a revocation's <c>pg_notify</c> on
/// <see cref="Channel"/> runs inside the revocation's own transaction, so the notice is delivered exactly when the
/// revocation commits, and never for one that rolled back. Every node's listener applies it to its caches and closes
/// the sockets bound to what ended. On SQLite (one node) it does nothing: the one process already invalidated its
/// caches in process. Holds this node's <see cref="Trust"/>.
/// </summary>
public sealed class RevocationBus
{
    /// <summary>The one channel every node listens on.</summary>
    public const string Channel = "keyward_revocations";

    /// <summary>A bus that publishes nothing and always trusts the caches (SQLite, tests, tools).</summary>
    public static RevocationBus None { get; } = new(enabled: false);

    /// <summary>The bus for <paramref name="database"/>: enabled on PostgreSQL.</summary>
    public RevocationBus(KeywardDatabase database)
        : this((database ?? throw new ArgumentNullException(nameof(database))).Provider == StorageProvider.Postgres)
    {
    }

    private RevocationBus(bool enabled)
    {
        Enabled = enabled;
        Trust = enabled ? new CacheTrust(trusted: false) : CacheTrust.Always;
        NodeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    }

    /// <summary>True on PostgreSQL: notices are sent and a listener must be up before caches are trusted.</summary>
    public bool Enabled { get; }

    /// <summary>This process's id in notices (random per start; not a secret, names no one).</summary>
    public string NodeId { get; }

    /// <summary>Whether this node may answer from its caches now.</summary>
    public CacheTrust Trust { get; }

    /// <summary>
    /// Begins the transaction a revocation and its notice share, when notices are sent; null otherwise (SQLite keeps
    /// its single statements as they were). The caller commits it after <see cref="PublishAsync"/>.
    /// </summary>
    public async Task<IDbContextTransaction?> BeginAsync(KeywardDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return Enabled && db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>Queues notices for <paramref name="ids"/> in <paramref name="db"/>'s current transaction (delivered at commit).</summary>
    public async Task PublishAsync(KeywardDbContext db, RevocationKind kind, string reason, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(ids);
        if (!Enabled || ids.Count == 0)
        {
            return;
        }

        foreach (var chunk in ids.Chunk(RevocationNotice.MaxIds))
        {
            var payload = new RevocationNotice(NodeId, kind, reason, chunk).Format();
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {payload})", cancellationToken).ConfigureAwait(false);
        }
    }
}
