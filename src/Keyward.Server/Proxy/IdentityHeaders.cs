namespace Keyward.Server.Proxy;

/// <summary>
/// Request headers a client must never get to an upstream: Keyward's own, the credentials it consumed, the identity
/// headers other proxies and platforms set (an upstream that once sat behind one may still believe them), and the
/// client-address and original-URL headers that frameworks trust for routing and auditing. Any name with '_' goes too:
/// CGI-style frameworks read <c>Remote_User</c> as <c>Remote-User</c>. docs/architecture.md records the list.
/// </summary>
internal static class IdentityHeaders
{
    /// <summary>
    /// Exact names, compared case-insensitively. The client-certificate ones: ASP.NET Core's CertificateForwarding default
    /// (X-ARR-ClientCert), RFC 9440 (Client-Cert, Client-Cert-Chain) and the nginx/HAProxy conventions.
    /// </summary>
    public static readonly string[] Names =
    [
        "Authorization",
        "Proxy-Authorization",
        "Forwarded",
        "X-User",
        "X-Email",
        "X-Real-IP",
        "X-Client-IP",
        "X-Cluster-Client-IP",
        "True-Client-IP",
        "Cf-Connecting-IP",
        "X-Pomerium-Jwt-Assertion",
        "Cf-Access-Jwt-Assertion",
        "Cf-Access-Authenticated-User-Email",
        "X-ARR-ClientCert",
        "Client-Cert",
        "Client-Cert-Chain",
        "X-SSL-Client-Cert",
        "X-Client-Cert",
    ];

    /// <summary>
    /// Name prefixes, compared case-insensitively. Every <c>X-Forwarded-</c> goes: Keyward sets For, Proto, Host and
    /// Prefix itself after this strip (YARP's X-Forwarded transforms, action Set), so a client's value never survives.
    /// <c>Remote-</c> is Authelia's family (Remote-User, Remote-Groups, Remote-Email, Remote-Name); <c>X-Goog-</c> ones are
    /// Google IAP's.
    /// </summary>
    public static readonly string[] Prefixes =
    [
        "Keyward",
        "X-Keyward-",
        "X-Forwarded-",
        "X-Auth-Request-",
        "X-Original-",
        "X-Rewrite-",
        "X-Webauth-",
        "X-Authenticated-",
        "X-Ms-Client-Principal",
        "X-Amzn-Oidc-",
        "Remote-",
        "X-Goog-Authenticated-User-",
        "X-Goog-Iap-",
    ];

    /// <summary>Any <c>*-Remote-User</c> (X-Remote-User, Http-Remote-User, …).</summary>
    public const string RemoteUserSuffix = "-Remote-User";
}
