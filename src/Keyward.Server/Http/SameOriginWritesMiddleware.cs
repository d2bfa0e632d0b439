using Microsoft.AspNetCore.Authentication;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace Keyward.Server.Http;

/// <summary>
/// The CSRF defence (docs/security.md): a request with an unsafe method that a browser authenticated with one of
/// Keyward's cookies must come from the very origin it is sent to. <c>Origin</c> must equal the request's own origin
/// (scheme, host and port as the client addressed them), or, without <c>Origin</c>, <c>Sec-Fetch-Site</c> must be
/// <c>same-origin</c>; with neither, it is refused. Same-site is not enough: another port or a sibling subdomain is the
/// same site, and SameSite cookies go along with its requests. On Keyward's own endpoints such a request must also
/// declare itself, with a JSON body or <c>X-Keyward-Request: 1</c>, which a plain HTML form cannot send.
/// Requests with <c>Authorization: Bearer</c> are not cookie-authenticated (Bearer wins over any cookie) and pass.
/// A proxied route may opt out (<see cref="CrossOriginUnsafeAllowed"/>). A GET of Keyward's own marked
/// <see cref="SameOriginReadsOnly"/> (the audit export) is held to the same origin rule. Refusals are 403
/// <c>cross_origin_request</c>, answered and audited by the authentication scheme's forbid, like other 403s.
/// </summary>
internal sealed class SameOriginWritesMiddleware(RequestDelegate next)
{
    /// <summary>The header a script on Keyward's origin may send instead of a JSON body.</summary>
    public const string RequestHeader = "X-Keyward-Request";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsCookieAuthenticated(request))
        {
            return next(context);
        }

        var metadata = context.GetEndpoint()?.Metadata;
        if (IsSafe(request.Method))
        {
            // A read with a cost or a record (SameOriginReadsOnly) must come from Keyward's own page, or from an address
            // the person typed (Sec-Fetch-Site: none); a download sends no Origin and can send no header of its own.
            return metadata?.GetMetadata<SameOriginReadsOnly>() is null || IsSameOrigin(request) || IsTypedByThePerson(request)
                ? next(context)
                : RefuseAsync(context, KeywardErrors.CrossOriginRequest.Saying(
                    "This read made with Keyward's cookie must come from Keyward's own pages (the console), not from a page of another origin."));
        }

        var proxied = metadata?.GetMetadata<RouteModel>() is not null;
        if (proxied && metadata!.GetMetadata<CrossOriginUnsafeAllowed>() is not null)
        {
            return next(context);
        }

        if (!IsSameOrigin(request))
        {
            return RefuseAsync(context, KeywardErrors.CrossOriginRequest);
        }

        if (!proxied && !DeclaresItself(request))
        {
            return RefuseAsync(context, KeywardErrors.CrossOriginRequest.Saying(
                "A write to Keyward's API made with its cookie must send a JSON body (Content-Type: application/json) or the header X-Keyward-Request: 1."));
        }

        return next(context);
    }

    // RFC 9110 §9.2.1: the safe methods. Everything else may change state.
    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    // A browser sends cookies on its own; a Bearer token only when a script of a permitted origin sets it.
    private static bool IsCookieAuthenticated(HttpRequest request)
    {
        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var name in request.Cookies.Keys)
        {
            if (KeywardCookieNamespace.Contains(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the request's Origin (or, without one, Sec-Fetch-Site) says it comes from its own origin.</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var origins = request.Headers.Origin;
        if (origins.Count > 0)
        {
            return origins.Count == 1 && IsOriginOf(origins.ToString(), request);
        }

        // Fetch Metadata (W3C): sent by browsers on every request; "same-site" covers sibling origins, so only same-origin.
        var site = request.Headers["Sec-Fetch-Site"];
        return site.Count == 1 && string.Equals(site.ToString(), "same-origin", StringComparison.Ordinal);
    }

    // Fetch Metadata (W3C): "none" is a navigation the person started (the address bar, a bookmark), which no page can forge.
    private static bool IsTypedByThePerson(HttpRequest request) =>
        request.Headers.Origin.Count == 0
        && request.Headers["Sec-Fetch-Site"] is { Count: 1 } site && string.Equals(site.ToString(), "none", StringComparison.Ordinal);

    // RFC 6454 §6.1: an origin is serialized as scheme "://" host [ ":" port ], the port only when not the default.
    // "null" (opaque origins: sandboxed frames, data: URLs, some redirects) never parses here, so it is refused.
    private static bool IsOriginOf(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var sent)
            || !string.Equals(sent.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase)
            || sent.UserInfo.Length > 0
            || !request.Host.HasValue
            || !Uri.TryCreate($"{request.Scheme}://{request.Host.ToUriComponent()}", UriKind.Absolute, out var own))
        {
            return false;
        }

        return string.Equals(sent.Scheme, own.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(sent.IdnHost, own.IdnHost, StringComparison.OrdinalIgnoreCase)
            && sent.Port == own.Port;
    }

    // A plain HTML form can send neither application/json nor a custom header; a cross-origin script can send them only
    // after a CORS preflight that Keyward never grants.
    private static bool DeclaresItself(HttpRequest request) =>
        request.Headers[RequestHeader].ToString() == "1"
        || (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    // The scheme's forbid answers the problem and audits it (access.denied, or proxy.denied with the route id).
    private static Task RefuseAsync(HttpContext context, KeywardError error)
    {
        context.Features.Set(new RefusalFeature(error));
        return context.ForbidAsync();
    }
}
