using Keyward.Core.Quorum;
using Keyward.Core.Storage;
using Keyward.Core.Vault;
using Keyward.Server.Approvals;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers M-of-N approvals (docs/approvals.md). Safe to call twice.</summary>
internal static class ApprovalsServiceCollectionExtensions
{
    /// <summary>The purpose the default instance id is derived under (from <c>instance.key</c>).</summary>
    public const string InstanceIdPurpose = "approvals.instance-id";

    /// <summary>
    /// Adds <c>Keyward:Approvals</c> (validated at start), the quorum's services with every registered
    /// <see cref="IApprovalApplier"/> (other slices add theirs with <c>TryAddEnumerable</c>), the one-time sensitive-read
    /// grants, the desk, and the expiry sweep.
    /// </summary>
    public static IServiceCollection AddKeywardApprovals(this IServiceCollection services)
    {
        services.AddKeywardOptions<ApprovalsOptions>(ApprovalsOptions.Section, o => o.Validate());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalApplier, SensitiveReadApplier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalApplier, KeyEpochApplier>(sp => new KeyEpochApplier(sp.GetService<IKeyEncryptionKeyProvider>(), sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<TimeProvider>())));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalApplier, AddAdminKeyApplier>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApprovalApplier, RemoveAdminKeyApplier>());
        services.TryAddSingleton(sp => new AdminKeys(sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<ApprovalPolicyService>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<AdminKeyGate>();
        services.TryAddSingleton(sp => new ApprovalPolicyService(sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new SensitiveReadGrants(sp.GetRequiredService<KeywardDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ISensitiveReadApprovals>(sp => sp.GetRequiredService<SensitiveReadGrants>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ApprovalsOptions>>().Value;
            var instanceId = string.IsNullOrEmpty(options.InstanceId)
                ? "kw-" + Convert.ToHexStringLower(sp.GetRequiredService<InstanceSecret>().Derive(InstanceIdPurpose).AsSpan(0, 16))
                : options.InstanceId;
            return new ApprovalService(
                sp.GetRequiredService<KeywardDatabase>(),
                sp.GetRequiredService<RelyingParty>(),
                new QuorumSettings { InstanceId = instanceId, PendingLifetime = options.PendingLifetime },
                sp.GetRequiredService<TimeProvider>(),
                sp.GetServices<IApprovalApplier>());
        });
        services.TryAddSingleton<ApprovalDesk>();
        services.TryAddSingleton<ApprovalSweeper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ApprovalSweeper>(sp => sp.GetRequiredService<ApprovalSweeper>()));
        return services;
    }
}
