namespace Keyward.Server.Http;

/// <summary>
/// Endpoint metadata: a GET of Keyward's own that a browser may make with the cookie only from Keyward's own pages (or
/// an address the person typed), because the read itself costs or records something (the audit export reads the whole
/// log, holds the one-export gate and is audited). <see cref="SameOriginWritesMiddleware"/> refuses it otherwise with
/// 403 <c>cross_origin_request</c>: a page of a sibling origin is the same site, and the SameSite=Strict cookie goes
/// along with its <c>&lt;img&gt;</c> or link.
/// </summary>
internal sealed class SameOriginReadsOnly
{
    /// <summary>The one instance.</summary>
    public static SameOriginReadsOnly Instance { get; } = new();

    private SameOriginReadsOnly()
    {
    }
}
