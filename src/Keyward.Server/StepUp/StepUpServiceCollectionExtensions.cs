using Keyward.Core.StepUps;
using Keyward.Server.Http;
using Keyward.Server.StepUp;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the step-up ceremony and the gate sensitive actions ask.</summary>
internal static class StepUpServiceCollectionExtensions
{
    /// <summary>Adds <c>Keyward:StepUp</c> (validated at start), the step-up store, gate and ceremony. Safe to call twice.</summary>
    public static IServiceCollection AddKeywardStepUp(this IServiceCollection services)
    {
        services.AddKeywardOptions<StepUpOptions>(StepUpOptions.Section, o => o.Validate());
        services.TryAddSingleton<StepUpStore>();
        services.TryAddSingleton<StepUpGate>();
        services.TryAddSingleton<StepUpService>();
        return services;
    }
}
