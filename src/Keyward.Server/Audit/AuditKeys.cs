using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Server.Http;
using Keyward.Server.Keys;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Audit;

/// <summary>
/// The tree-head keys: on SQLite the one key in <c>&lt;data&gt;/audit/audit-key.pem</c> (<see cref="AuditKeyFile"/>); on
/// PostgreSQL the cluster's shared keys (<see cref="ClusterSigningKeys"/>), whose whole history the export header lists.
/// </summary>
internal sealed class AuditKeys(ClusterSigningKeys cluster, IOptions<KeywardOptions> keyward)
{
    private readonly Lazy<AuditSigningKey> _file = new(() => AuditKeyFile.LoadOrCreate(keyward.Value.DataDirectory));

    /// <summary>The key that signs now.</summary>
    public AuditSigningKey Current => cluster.Enabled ? cluster.AuditSigner() : _file.Value;

    /// <summary>Every tree-head key that has signed this log, oldest first, with its validity where known.</summary>
    public async Task<IReadOnlyList<AuditExportKey>> HistoryAsync(CancellationToken cancellationToken)
    {
        if (!cluster.Enabled)
        {
            return [new AuditExportKey(_file.Value.SubjectPublicKeyInfo)];
        }

        var records = await cluster.AuditHistoryAsync(cancellationToken).ConfigureAwait(false);
        return [.. records.Select(r => new AuditExportKey(r.SubjectPublicKeyInfo(), r.NotBefore, r.RetireAt))];
    }
}
