using Keyward.Server.Http;

namespace Keyward.Server.Assertions;

/// <summary>
/// GET /api/admin/signing-keys: the assertion signing keys (kid, state, dates) and the next rotation, for the console's
/// signing keys page. Admin role, no step-up (it changes nothing); public facts only, the JWKS already publishes the keys.
/// </summary>
internal static class SigningKeyEndpoints
{
    /// <summary>Where the JWKS is served.</summary>
    public const string JwksPath = "/.well-known/keyward/jwks.json";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/admin/signing-keys", List).RequireAuthorization(AuthorizationPolicies.Admin).Produces<SigningKeysResponse>();

    private static IResult List(HttpContext context, SigningKeyStore keys)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(keys.Describe(JwksPath), AssertionsJsonContext.Relaxed.SigningKeysResponse);
    }
}
