using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Keyward.AspNetCore;

/// <summary>
/// Checks the options of every Keyward assertion scheme, refusing insecure or incomplete setups with messages that
/// say how to fix them, then builds the scheme's verifier and JWKS cache.
/// </summary>
internal sealed class KeywardAssertionPostConfigureOptions : IPostConfigureOptions<KeywardAssertionOptions>
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly IServiceProvider _services;

    public KeywardAssertionPostConfigureOptions(IServiceProvider services) => _services = services;

    public void PostConfigure(string? name, KeywardAssertionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        name ??= Options.DefaultName;

        var environment = _services.GetService<IHostEnvironment>();
        var errors = Validate(name, options, environment);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(KeywardAssertionOptions), errors);
        }

        options.TimeProvider ??= _services.GetService<TimeProvider>() ?? TimeProvider.System;
        var loggerFactory = _services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var issuer = options.Authority!.TrimEnd('/');
        var cache = new KeywardJwksCache(
            Backchannel.Create(options),
            new Uri(issuer + KeywardAssertionDefaults.JwksPath),
            options.TimeProvider,
            options.JwksCacheLifetime,
            options.JwksRefreshMinimumInterval,
            loggerFactory.CreateLogger<KeywardJwksCache>());
        options.Validator = new KeywardAssertionValidator(
            new KeywardAssertionValidatorSettings(issuer, options.Audience!, options.ClockSkew, options.MaxAssertionLifetime, options.TimeProvider, name),
            cache,
            loggerFactory.CreateLogger<KeywardAssertionValidator>());
    }

    /// <summary>Every problem with the options, each saying how to fix it; empty when they are usable.</summary>
    internal static List<string> Validate(string scheme, KeywardAssertionOptions options, IHostEnvironment? environment)
    {
        var errors = new List<string>();
        var prefix = $"Keyward assertion scheme '{scheme}':";
        var isDevelopment = environment?.IsDevelopment() == true;
        var environmentName = environment?.EnvironmentName ?? "(no host environment)";

        if (string.IsNullOrWhiteSpace(options.Authority))
        {
            errors.Add($"{prefix} Authority is required. Set it to Keyward's issuer URL, for example https://keyward.example:8443.");
        }
        else if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{prefix} Authority '{options.Authority}' is not an absolute https URL. Set it to Keyward's issuer URL, for example https://keyward.example:8443.");
        }
        else if (!string.IsNullOrEmpty(authority.Query) || !string.IsNullOrEmpty(authority.Fragment) || !string.IsNullOrEmpty(authority.UserInfo))
        {
            errors.Add($"{prefix} Authority '{options.Authority}' must not carry a query, a fragment or credentials. Set it to Keyward's issuer URL only.");
        }
        else if (authority.Scheme == Uri.UriSchemeHttp && !options.DangerousAllowHttpAuthority)
        {
            errors.Add($"{prefix} Authority '{options.Authority}' uses http, so anyone on the path could replace Keyward's signing keys. Use Keyward's https URL (with BackchannelRootCertificate for its local CA); only for local development, set DangerousAllowHttpAuthority = true in the Development environment.");
        }

        if (options.DangerousAllowHttpAuthority && !isDevelopment)
        {
            errors.Add($"{prefix} DangerousAllowHttpAuthority is refused outside the Development environment (this one is '{environmentName}'). Remove it and use Keyward's https URL, with BackchannelRootCertificate for its local CA.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add($"{prefix} Audience is required. Set it to this service's route id in Keyward's configuration, for example \"counter\".");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaxClockSkew)
        {
            errors.Add($"{prefix} ClockSkew {options.ClockSkew} must be between 0 and {MaxClockSkew}; synchronize the clocks (NTP) rather than widening it.");
        }

        if (options.MaxAssertionLifetime <= TimeSpan.Zero)
        {
            errors.Add($"{prefix} MaxAssertionLifetime {options.MaxAssertionLifetime} must be positive; the default is 5 minutes.");
        }

        if (options.JwksRefreshMinimumInterval <= TimeSpan.Zero)
        {
            errors.Add($"{prefix} JwksRefreshMinimumInterval {options.JwksRefreshMinimumInterval} must be positive; the default is 30 seconds.");
        }

        if (options.JwksCacheLifetime < options.JwksRefreshMinimumInterval)
        {
            errors.Add($"{prefix} JwksCacheLifetime {options.JwksCacheLifetime} must be at least JwksRefreshMinimumInterval ({options.JwksRefreshMinimumInterval}); the default is 10 minutes.");
        }

        if (options.BackchannelTimeout <= TimeSpan.Zero && options.Backchannel is null)
        {
            errors.Add($"{prefix} BackchannelTimeout {options.BackchannelTimeout} must be positive; the default is 10 seconds.");
        }

        if (options.BackchannelRootCertificate is not null && (options.Backchannel is not null || options.BackchannelHttpHandler is not null))
        {
            errors.Add($"{prefix} BackchannelRootCertificate cannot be combined with Backchannel or BackchannelHttpHandler. Set the trust on your own handler, or remove it and let the scheme build one.");
        }

        return errors;
    }
}
