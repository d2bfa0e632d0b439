using Keyward.Core.Audit;
using Keyward.Core.Storage;
using Keyward.Server.Audit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the audit log.</summary>
internal static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// Adds the audit log (<see cref="IAuditLog"/> and <see cref="AuditLog"/>, one per process), its reader, the signed
    /// tree heads with their key from <c>&lt;data&gt;/audit</c>, and the interval signer. Reads <c>Keyward:Audit</c>;
    /// throws listing every invalid setting. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddKeywardAudit(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        var options = configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new AuditOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(AuditOptions.Section, typeof(AuditOptions), errors);
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new AuditLog(
            sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AuditOptions>(), sp.GetRequiredService<ILogger<AuditLog>>()));
        services.TryAddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.TryAddSingleton<AuditReader>();
        services.TryAddSingleton(_ => AuditKeyFile.LoadOrCreate(dataDirectory));
        services.TryAddSingleton(sp => new AuditTreeHeads(
            sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<AuditReader>(), sp.GetRequiredService<AuditSigningKey>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditTreeHeads>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AuditTreeHeadService>());
        return services;
    }
}
