using Keyward.Core.Audit;
using Keyward.Core.Audit.Export;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Keyward.Server.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the audit log.</summary>
internal static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Adds the audit log (<see cref="IAuditLog"/> and <see cref="AuditLog"/>, one per process), its reader, the signed
    /// tree heads with their key (<see cref="AuditKeys"/>: <c>&lt;data&gt;/audit</c> on SQLite, the database on PostgreSQL), the interval signer, the revocation spool
    /// (<c>&lt;data&gt;/audit/revocations.spool</c>) with its drainer, the counter of unauthenticated refusals
    /// (<see cref="RefusalCounter"/>) and the grouping of repeated ones (<see cref="RepeatedRefusals"/>). Binds <c>Keyward:Audit</c>
    /// (validated at start). Safe to call twice.
    /// </summary>
    public static IServiceCollection AddKeywardAudit(this IServiceCollection services)
    {
        services.AddKeywardOptions<AuditOptions>(AuditOptions.Section, o => o.Validate());
        services.TryAddSingleton(sp => new AuditLog(
            sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<AuditOptions>>().Value, sp.GetRequiredService<ILogger<AuditLog>>()));
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.TryAddSingleton<AuditReader>();
        services.TryAddSingleton<AuditExporter>();
        services.TryAddSingleton<AuditExportGate>();
        services.TryAddSingleton<PublicTreeHead>();
        services.TryAddSingleton(sp =>
        {
            var path = AuditSpoolFile.Path(sp.GetRequiredService<IOptions<KeywardOptions>>().Value.DataDirectory);
            PrivateDirectory.Create(System.IO.Path.GetDirectoryName(path)!);
            return new AuditSpool(path, sp.GetRequiredService<IOptions<AuditOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditSpool>>());
        });
        services.TryAddSingleton<RevocationAudit>();
        services.TryAddSingleton<AuditSpoolService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditSpoolService>(sp => sp.GetRequiredService<AuditSpoolService>()));
        services.TryAddSingleton<AuditKeys>();
        // The key that signs at first use: on SQLite the one key file; on PostgreSQL ask AuditKeys (keys rotate).
        services.TryAddSingleton(sp => sp.GetRequiredService<AuditKeys>().Current);
        services.TryAddSingleton(sp =>
        {
            var keys = sp.GetRequiredService<AuditKeys>();
            return new AuditTreeHeads(
                sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<AuditReader>(), () => keys.Current,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditTreeHeads>>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditTreeHeadService>());

        // After the tree-head service, so it stops first: the counts written at shutdown are in the last signed head.
        services.TryAddSingleton<RefusalCounter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RefusalCounter>(sp => sp.GetRequiredService<RefusalCounter>()));
        services.TryAddSingleton<RepeatedRefusals>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RepeatedRefusals>(sp => sp.GetRequiredService<RepeatedRefusals>()));
        return services;
    }
}
