using System.Net;
using System.Text;
using System.Text.Json;
using Keyward.Server.Http;
using Keyward.WebAuthn;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// <c>/openapi/v1.json</c> checked against the endpoint table: every endpoint of Keyward's own is described (and
/// nothing else), with its answer's record, its body's wire names and its refusal codes; every documented code is the
/// catalogue's, at the catalogue's status; and an anonymous request to each endpoint gets a status and code the
/// document lists for it.
/// </summary>
public sealed class ApiDescriptionTests
{
    private static readonly string[] RouteSettings =
        ["--Keyward:Routes:counter:Path=/resource/{**rest}", "--Keyward:Routes:counter:Upstream=http://127.0.0.1:9"];

    [Fact]
    public async Task Document_DescribesEveryOwnEndpoint_AndNoProxiedRoute()
    {
        await using var keyward = HostedKeyward.Build(RouteSettings);
        await keyward.App.StartAsync();
        using var document = await ReadDocumentAsync(keyward.App);

        var endpoints = OwnEndpoints(keyward.App);
        Assert.True(endpoints.Count >= 30, $"only {endpoints.Count} endpoints found");
        var described = Operations(document).Select(o => (o.Method, o.Path)).ToHashSet();
        var missing = endpoints.Where(e => !described.Contains((e.Method, e.Path))).ToList();
        Assert.True(missing.Count == 0, "Endpoints missing from /openapi/v1.json: " + string.Join(", ", missing));
        Assert.Equal(endpoints.Count, described.Count);
        Assert.DoesNotContain(described, o => o.Path.StartsWith("/resource", StringComparison.Ordinal));
        Assert.DoesNotContain(described, o => o.Path.StartsWith("/openapi", StringComparison.Ordinal));
        await keyward.App.StopAsync();
    }

    [Fact]
    public async Task Document_AnswersAndBodies_CarryTheRecordsAndTheirWireNames()
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        using var document = await ReadDocumentAsync(keyward.App);

        // Every endpoint that declares a JSON answer record has its schema in the 2xx response.
        foreach (var endpoint in OwnEndpoints(keyward.App))
        {
            var typed = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Where(p => p.Type is not null && p.Type != typeof(void)).ToList();
            foreach (var produces in typed)
            {
                var response = Operation(document, endpoint.Method, endpoint.Path).GetProperty("responses").GetProperty(produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.True(response.GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _), $"{endpoint} has no answer schema");
            }
        }

        // Names on the wire, not the C# names: the sign-in answer and the finish body.
        var signIn = Schema(document, Operation(document, "POST", "/session/login/finish").GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(signIn.GetProperty("properties").TryGetProperty("session_token", out _), signIn.ToString());
        var finish = Schema(document, Operation(document, "POST", "/session/login/finish").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(finish.GetProperty("properties").TryGetProperty("ceremony_id", out _), finish.ToString());

        // Query parameters an endpoint reads itself are listed.
        var events = Operation(document, "GET", "/api/audit/events").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["from", "to", "actor", "action", "outcome", "after", "limit", "latest"], events);
        await keyward.App.StopAsync();
    }

    [Fact]
    public async Task Document_EveryRefusalCode_IsTheCataloguesAtItsStatus()
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        using var document = await ReadDocumentAsync(keyward.App);
        var own = KeywardErrors.Own().ToDictionary(e => e.Code, e => e.Status);
        var webAuthn = KeywardErrors.WebAuthnCodes.ToHashSet();

        var seen = 0;
        foreach (var (method, path, operation) in Operations(document))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject())
            {
                if (!response.Value.TryGetProperty(ApiDescription.CodesExtension, out var codes))
                {
                    continue;
                }

                var schema = Schema(document, response.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema"));
                Assert.True(schema.GetProperty("properties").TryGetProperty("code", out _), $"{method} {path} {response.Name}: the problem schema has no code");
                foreach (var code in codes.EnumerateArray().Select(c => c.GetString()!))
                {
                    seen++;
                    if (own.TryGetValue(code, out var status))
                    {
                        // origin_mismatch is shared with the WebAuthn table, where a ceremony answers it at its own status.
                        Assert.True(status.ToString(System.Globalization.CultureInfo.InvariantCulture) == response.Name || webAuthn.Contains(code), $"{method} {path}: {code} documented under {response.Name}, catalogued as {status}");
                    }
                    else
                    {
                        Assert.True(webAuthn.Contains(code), $"{method} {path}: {code} is in no catalogue");
                    }
                }
            }
        }

        Assert.True(seen > 100, $"only {seen} codes documented");

        // The session plane's refusals are on a session endpoint, the admin step-up on a state-changing admin endpoint,
        // every WebAuthn failure on a sign-in finish, and the codes any request can meet in the description.
        Assert.Contains("session_expired", Codes(document, "POST", "/session/status", 401));
        Assert.Contains("step_up_required", Codes(document, "POST", "/api/admin/accounts/{name}/disable", 401));
        Assert.Contains("last_admin", Codes(document, "POST", "/api/admin/accounts/{name}/disable", 409));
        Assert.DoesNotContain("step_up_required", Codes(document, "GET", "/api/admin/accounts", 401));
        Assert.Contains("cross_origin_request", Codes(document, "POST", "/session/login/begin", 403));
        Assert.Contains("session_expired", Codes(document, "POST", "/api/register/begin", 401));
        Assert.Contains("role_required", Codes(document, "POST", "/api/auth/ws-ticket", 403));
        Assert.Equal(WebAuthnErrors.All.Count(), Codes(document, "POST", "/session/login/finish", 400).Intersect(webAuthn).Count());
        var description = document.RootElement.GetProperty("info").GetProperty("description").GetString()!;
        Assert.All(ApiDescription.Everywhere, e => Assert.Contains($"`{e.Code}`", description, StringComparison.Ordinal));
        await keyward.App.StopAsync();
    }

    [Fact]
    public async Task AnonymousRequest_ToEveryEndpoint_GetsAStatusAndCodeTheDocumentLists()
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        using var document = await ReadDocumentAsync(keyward.App);
        var everywhere = ApiDescription.Everywhere.Select(e => (e.Status, e.Code)).ToHashSet();
        var client = keyward.App.GetTestClient();

        var checkedCount = 0;
        foreach (var (method, path, operation) in Operations(document))
        {
            var concrete = path.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("{name}", "nobody", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(concrete, UriKind.Relative));
            if (method is "POST" or "PATCH")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request);
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var responses = operation.GetProperty("responses");
            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var code = problem.RootElement.GetProperty("code").GetString()!;
                var documented = responses.TryGetProperty(status, out var r) && r.TryGetProperty(ApiDescription.CodesExtension, out var codes)
                    && codes.EnumerateArray().Any(c => c.GetString() == code);
                Assert.True(documented || everywhere.Contains(((int)response.StatusCode, code)), $"{method} {path}: {status} {code} is not in the document");
            }
            else
            {
                Assert.True(responses.TryGetProperty(status, out _), $"{method} {path}: {status} is not in the document");
            }

            checkedCount++;
        }

        Assert.True(checkedCount >= 30, $"only {checkedCount} operations requested");
        await keyward.App.StopAsync();
    }

    [Fact]
    public async Task Document_IsServedAnonymously_AsJson_WithoutASecret()
    {
        await using var keyward = HostedKeyward.Build([]);
        await keyward.App.StartAsync();
        var response = await keyward.App.GetTestClient().GetAsync(new Uri(ApiDescription.Path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("3.1", JsonDocument.Parse(text).RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"kw[a-z]_[A-Za-z0-9]{8}", text);
        Assert.DoesNotContain(keyward.DataDirectory, text, StringComparison.Ordinal);

        // Made once and kept (it costs ~20 ms of CPU to make); it names Keyward's public origin, not the Host sent.
        var origin = keyward.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<KeywardOptions>>().Value.EffectiveOrigin;
        using var other = new HttpRequestMessage(HttpMethod.Get, new Uri(ApiDescription.Path, UriKind.Relative));
        other.Headers.Host = "localhost:1";
        var again = await (await keyward.App.GetTestClient().SendAsync(other)).Content.ReadAsStringAsync();
        Assert.Equal(text, again);
        Assert.Same(await keyward.App.Services.GetRequiredService<ApiDocument>().GetAsync(), await keyward.App.Services.GetRequiredService<ApiDocument>().GetAsync());
        Assert.Equal(origin, JsonDocument.Parse(text).RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
        await keyward.App.StopAsync();
    }

    private static async Task<JsonDocument> ReadDocumentAsync(WebApplication app)
    {
        var response = await app.GetTestClient().GetAsync(new Uri(ApiDescription.Path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private sealed record OwnEndpoint(string Method, string Path, EndpointMetadataCollection Metadata)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    // The endpoint table: every route endpoint but proxied routes and the document itself, one row per method.
    private static List<OwnEndpoint> OwnEndpoints(WebApplication app) =>
        [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>() is null && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is null)
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => new OwnEndpoint(m, PathOf(e), e.Metadata)))];

    // "/session/{id:guid}" is "/session/{id}" in the document; a trailing "/" of a group's root is dropped.
    private static string PathOf(RouteEndpoint endpoint)
    {
        var text = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => string.Empty,
        }))));
        return text;
    }

    private static IEnumerable<(string Method, string Path, JsonElement Operation)> Operations(JsonDocument document) =>
        document.RootElement.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(o => (o.Name.ToUpperInvariant(), path.Name, o.Value)));

    private static JsonElement Operation(JsonDocument document, string method, string path) =>
        document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method.ToLowerInvariant());

    private static List<string> Codes(JsonDocument document, string method, string path, int status) =>
        Operation(document, method, path).GetProperty("responses").TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
        && response.TryGetProperty(ApiDescription.CodesExtension, out var codes)
            ? [.. codes.EnumerateArray().Select(c => c.GetString()!)]
            : [];

    private static JsonElement Schema(JsonDocument document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;
}
