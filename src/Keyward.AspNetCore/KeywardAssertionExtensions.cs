using Keyward.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Keyward identity assertion authentication scheme.</summary>
public static class KeywardAssertionExtensions
{
    /// <summary>
    /// Adds the <see cref="KeywardAssertionDefaults.AuthenticationScheme"/> scheme, which authenticates requests by the
    /// signed assertion Keyward's proxy adds. Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Sets at least <see cref="KeywardAssertionOptions.Authority"/> and <see cref="KeywardAssertionOptions.Audience"/>.</param>
    /// <returns>The same builder.</returns>
    public static AuthenticationBuilder AddKeywardAssertion(this AuthenticationBuilder builder, Action<KeywardAssertionOptions> configure) =>
        builder.AddKeywardAssertion(KeywardAssertionDefaults.AuthenticationScheme, configure);

    /// <summary>
    /// Adds a Keyward assertion scheme under a name of your choice (for a service behind several Keyward routes).
    /// Calling it again for the same name applies <paramref name="configure"/> on top of the earlier configuration.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configure">Sets at least <see cref="KeywardAssertionOptions.Authority"/> and <see cref="KeywardAssertionOptions.Audience"/>.</param>
    /// <returns>The same builder.</returns>
    public static AuthenticationBuilder AddKeywardAssertion(this AuthenticationBuilder builder, string authenticationScheme, Action<KeywardAssertionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<KeywardAssertionOptions>, KeywardAssertionPostConfigureOptions>());
        builder.Services.AddOptions<KeywardAssertionOptions>(authenticationScheme).ValidateOnStart();

        var alreadyAdded = builder.Services.Any(d =>
            d.ServiceType == typeof(SchemeMarker) && d.ImplementationInstance is SchemeMarker marker && marker.Name == authenticationScheme);
        if (alreadyAdded)
        {
            builder.Services.Configure(authenticationScheme, configure);
            return builder;
        }

        builder.Services.AddSingleton(new SchemeMarker(authenticationScheme));
        return builder.AddScheme<KeywardAssertionOptions, KeywardAssertionHandler>(authenticationScheme, "Keyward assertion", configure);
    }

    /// <summary>Records that a scheme name is registered, so a second call does not register it twice.</summary>
    private sealed record SchemeMarker(string Name);
}
