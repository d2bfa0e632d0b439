namespace Keyward.LoadBench;

/// <summary>What the load bench measures.</summary>
internal enum BenchMode
{
    /// <summary>The counter sample (one ES256 verify and one SQLite commit per request) directly, through plain YARP, through Keyward.</summary>
    Counter,

    /// <summary>
    /// A trivial upstream directly, through plain YARP, nginx <c>proxy_pass</c>, nginx <c>auth_request</c> +
    /// <c>proxy_pass</c>, and Keyward: each front end's own cost, undiluted by the upstream's.
    /// </summary>
    Trivial,

    /// <summary>Complete sign-ins, WebSocket ticket mints and redeems from concurrent clients: Keyward's CPU and allocations per operation.</summary>
    SignIn,

    /// <summary>
    /// Vault reads (<c>GET /vault/v1/memory/…</c> with a capability token) interleaved with the proxy path (Keyward
    /// with a session to the trivial upstream), in one run: each path's rate, latency and Keyward CPU, and their ratio.
    /// </summary>
    Vault,
}
