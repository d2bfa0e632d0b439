using Keyward.Server.Http;
using Microsoft.Extensions.Options;

namespace Keyward.Server.Proxy;

/// <summary>
/// The rules of <c>Keyward:Routes:&lt;id&gt;:Host</c> that need Keyward's own origin: a browser route never shares
/// Keyward's host. Reads <c>Keyward:PublicOrigin</c> and <c>Keyward:Listen</c> from configuration itself, so an invalid
/// Keyward section is reported by its own validator rather than failing this one.
/// </summary>
internal sealed class RouteHostValidator(IConfiguration configuration) : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var keyward = new KeywardOptions();
        configuration.GetSection(KeywardOptions.Section).Bind(keyward);
        var own = Uri.TryCreate(keyward.EffectiveOrigin, UriKind.Absolute, out var origin) ? origin.Host : null;
        var errors = new List<string>();
        foreach (var (id, route) in options.Routes)
        {
            if (route.Host is not null && string.Equals(route.Host, own, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Keyward:Routes:{id}:Host must not be Keyward's own host; browser routes need their own host, see docs/security.md.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
