using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication;

namespace Keyward.AspNetCore;

/// <summary>
/// Settings of the Keyward identity assertion scheme. <see cref="Authority"/> and <see cref="Audience"/>
/// are required; every limit has a safe default. The time source is
/// <see cref="AuthenticationSchemeOptions.TimeProvider"/> (the registered <see cref="System.TimeProvider"/>
/// when not set), used for lifetime checks and the JWKS cache alike.
/// </summary>
public sealed class KeywardAssertionOptions : AuthenticationSchemeOptions
{
    /// <summary>
    /// Keyward's issuer URL, for example <c>https://keyward.example:8443</c>. Assertions must carry exactly
    /// this <c>iss</c> (a trailing slash here is ignored), and the signing keys are fetched from
    /// <c>{Authority}/.well-known/keyward/jwks.json</c>. Must be https unless
    /// <see cref="DangerousAllowHttpAuthority"/> is set in the Development environment.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// This service's route id in Keyward, for example <c>counter</c>: assertions must carry it as <c>aud</c>,
    /// so an assertion minted for one service is refused by every other.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Allows an http <see cref="Authority"/>, which lets anyone on the network path substitute the signing keys.
    /// Refused outside the Development environment. Default false.
    /// </summary>
    public bool DangerousAllowHttpAuthority { get; set; }

    /// <summary>How far the clocks of Keyward and this service may disagree when checking <c>exp</c> and <c>nbf</c>/<c>iat</c>. Default 5 s, at most 5 min.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest lifetime (<c>exp</c> − <c>iat</c>) an assertion may claim; longer ones are refused as invalid.
    /// Keyward issues 60 s assertions; this bound only limits the damage of a misconfigured issuer. Default 5 min.
    /// </summary>
    public TimeSpan MaxAssertionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a fetched JWKS is used before it is fetched again. Default 10 min.</summary>
    public TimeSpan JwksCacheLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The rate limit on fetches caused by an assertion whose <c>kid</c> is not cached (key rotation), and the
    /// wait before retrying after a failed fetch: at most one such fetch per interval, whatever the traffic.
    /// Default 30 s.
    /// </summary>
    public TimeSpan JwksRefreshMinimumInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one JWKS request. Default 10 s.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The only certificate authority trusted when fetching the JWKS over https, for Keyward's self-generated
    /// local CA. When set, the system's roots are not trusted for that connection and revocation is not checked
    /// (a local CA publishes no revocation list); the host name is still verified. Not together with
    /// <see cref="BackchannelHttpHandler"/> or <see cref="Backchannel"/>.
    /// </summary>
    public X509Certificate2? BackchannelRootCertificate { get; set; }

    /// <summary>A handler for the JWKS requests (custom TLS trust, proxy). Ignored when <see cref="Backchannel"/> is set.</summary>
    public HttpMessageHandler? BackchannelHttpHandler { get; set; }

    /// <summary>The client for the JWKS requests; when set, <see cref="BackchannelTimeout"/> is not applied to it.</summary>
    public HttpClient? Backchannel { get; set; }

    /// <summary>The verifier built from these options by post-configuration; holds the JWKS cache.</summary>
    internal KeywardAssertionValidator? Validator { get; set; }
}
