using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Http;

/// <summary>How every slice registers its options: bound from its section, validated by its rules, checked at start.</summary>
internal static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it with <paramref name="rules"/>
    /// when the host starts (and on first use). Safe to call twice.
    /// </summary>
    public static OptionsBuilder<TOptions> AddKeywardOptions<TOptions>(this IServiceCollection services, string section, Func<TOptions, IEnumerable<string>> rules)
        where TOptions : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new RuleValidator<TOptions>(rules)));
        services.AddSingleton(new ValidatedOptions(typeof(TOptions), section));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}
