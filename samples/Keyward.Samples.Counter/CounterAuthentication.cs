using System.Security.Cryptography.X509Certificates;
using Keyward.AspNetCore;

namespace Keyward.Samples.Counter;

/// <summary>Maps the counter's settings onto the Keyward assertion scheme.</summary>
internal static class CounterAuthentication
{
    /// <summary>The policy of every counter endpoint: a request authenticated by a Keyward assertion.</summary>
    public const string Policy = "KeywardUser";

    public static void Configure(KeywardAssertionOptions options, CounterOptions counter)
    {
        options.Authority = counter.Authority;
        options.Audience = counter.Audience;
        options.DangerousAllowHttpAuthority = counter.DangerousAllowHttpAuthority;
        if (counter.CaFile is { } caFile && File.Exists(caFile))
        {
            // Keyward's local CA, and only it, is trusted for the JWKS fetch (X509ChainTrustMode.CustomRootTrust).
            options.BackchannelRootCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        }
    }
}
