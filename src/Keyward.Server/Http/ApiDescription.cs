using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Keyward.Server.Http;

/// <summary>
/// The API description at <c>/openapi/v1.json</c> (OpenAPI 3.1, from the platform's generator): every endpoint of
/// Keyward's own, its request and response records, and every refusal it can answer, grouped by status, each code
/// listed with its message and in the <c>x-keyward-codes</c> extension. An endpoint's refusals are those it declares
/// (<see cref="Refusals"/>) and those its policy, rate limit and body imply; the codes any request can
/// meet (an unknown host, a full database) are listed once, in the document's description. Proxied routes are the
/// upstreams' APIs, not Keyward's, and are left out. The document is public, like the JWKS: it describes the shape of
/// the API, never a secret.
/// </summary>
internal static class ApiDescription
{
    /// <summary>The document's name: its path is <c>/openapi/v1.json</c>.</summary>
    public const string DocumentName = "v1";

    /// <summary>The path of the document.</summary>
    public const string Path = "/openapi/" + DocumentName + ".json";

    /// <summary>The extension that lists an operation's refusal codes for one status, for scripts.</summary>
    public const string CodesExtension = "x-keyward-codes";

    private const string ProblemSchema = "Problem";

    /// <summary>Refusals any request can meet, whatever its endpoint (listed once, in the document's description).</summary>
    public static IReadOnlyList<KeywardError> Everywhere { get; } =
    [
        KeywardErrors.HostUnknown, KeywardErrors.NotFound, KeywardErrors.MethodNotAllowed, KeywardErrors.AuditUnavailable,
        KeywardErrors.StorageBusy, KeywardErrors.StorageUnavailable,
    ];

    /// <summary>What a session-plane policy refuses before the endpoint runs: no session, each way a session fails its check, two claimed cookies.</summary>
    public static IReadOnlyList<KeywardError> SessionPlane { get; } =
        [KeywardErrors.SessionMissing, .. Enum.GetValues<Keyward.Core.Sessions.SessionFailure>().Select(KeywardErrors.From), KeywardErrors.CookieConflict];

    /// <summary>What the agent plane's policy refuses before the endpoint runs: a key that is not a live agent key, or a key store that cannot be read.</summary>
    public static IReadOnlyList<KeywardError> AgentKeyPlane { get; } =
        [.. Enum.GetValues<Keyward.Core.Agents.AgentKeyFailure>().Select(KeywardErrors.From), KeywardErrors.AgentKeyStoreUnavailable];

    /// <summary>What enrollment's policy refuses before the endpoint runs: not an enroll token, or too many attempts from the address.</summary>
    public static IReadOnlyList<KeywardError> AgentEnrollPlane { get; } = [KeywardErrors.EnrollTokenInvalid, KeywardErrors.RateLimited];

    /// <summary>What reading a JSON body refuses.</summary>
    public static IReadOnlyList<KeywardError> JsonBody { get; } =
        [KeywardErrors.RequestInvalid, KeywardErrors.BodyTooLarge, KeywardErrors.UnsupportedMediaType];

    /// <summary>Registers the document and its transformers.</summary>
    public static IServiceCollection AddKeywardApiDescription(this IServiceCollection services) =>
        services.AddSingleton<ApiDocument>().AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.ActionDescriptor.EndpointMetadata.OfType<Yarp.ReverseProxy.Model.RouteModel>().FirstOrDefault() is null;
            options.AddDocumentTransformer((document, context, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Keyward",
                    Version = DocumentName,
                    Description = DocumentDescription(),
                };

                // Keyward's public origin, never the Host a request happened to send.
                var origin = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<KeywardOptions>>().Value.EffectiveOrigin;
                document.Servers = [new OpenApiServer { Url = origin }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeRefusalsAsync);
        });

    /// <summary>
    /// Maps <see cref="Path"/>, anonymous (it is no more secret than the JWKS). The document cannot change while Keyward
    /// runs, so it is generated once, at the first request, and then served from memory: generating it costs about 20 ms
    /// of CPU, which an anonymous caller could otherwise ask for at will.
    /// </summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(Path, async (ApiDocument document) => Results.Bytes(await document.GetAsync().ConfigureAwait(false), "application/json"))
            .AllowAnonymous().ExcludeFromDescription();

    /// <summary>Every refusal an endpoint can answer besides <see cref="Everywhere"/>, by its metadata.</summary>
    public static IReadOnlyList<KeywardError> RefusalsOf(EndpointMetadataCollection metadata, string httpMethod)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var errors = new List<KeywardError>();
        var policies = metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Contains(AuthorizationPolicies.Session) || policies.Contains(AuthorizationPolicies.Admin))
        {
            errors.AddRange(SessionPlane);
        }

        if (policies.Contains(AuthorizationPolicies.AgentKey))
        {
            errors.AddRange(AgentKeyPlane);
        }

        if (policies.Contains(AuthorizationPolicies.AgentEnroll))
        {
            errors.AddRange(AgentEnrollPlane);
        }

        // Any unsafe request that carries one of Keyward's cookies must be same-origin, signed in or not; so must a read
        // marked SameOriginReadsOnly (the audit export).
        if ((!HttpMethods.IsGet(httpMethod) && !HttpMethods.IsHead(httpMethod)) || metadata.GetMetadata<SameOriginReadsOnly>() is not null)
        {
            errors.Add(KeywardErrors.CrossOriginRequest);
        }

        if (policies.Contains(AuthorizationPolicies.Admin))
        {
            errors.Add(KeywardErrors.RoleRequired);
        }

        if (metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
        {
            errors.Add(KeywardErrors.RateLimited);
        }

        if (metadata.GetMetadata<IAcceptsMetadata>() is not null)
        {
            errors.AddRange(JsonBody);
        }

        foreach (var declared in metadata.GetOrderedMetadata<Refusals>())
        {
            errors.AddRange(declared.Errors);
            foreach (var status in declared.WebAuthnStatuses ?? [])
            {
                errors.AddRange(Keyward.WebAuthn.WebAuthnErrors.All.Select(e => new KeywardError(Keyward.WebAuthn.WebAuthnErrors.Code(e), status, Keyward.WebAuthn.WebAuthnErrors.Message(e))));
            }
        }

        return [.. errors.DistinctBy(e => (e.Code, e.Status))];
    }

    private static async Task DescribeRefusalsAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = new EndpointMetadataCollection(context.Description.ActionDescriptor.EndpointMetadata);
        if (metadata.GetMetadata<QueryParameters>() is { } query)
        {
            operation.Parameters ??= [];
            foreach (var name in query.Names)
            {
                operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            }
        }

        var refusals = RefusalsOf(metadata, context.Description.HttpMethod ?? "GET");
        if (refusals.Count == 0)
        {
            return;
        }

        // One shared schema for every refusal, under components (added by the first operation that needs it).
        IOpenApiSchema problem = await context.GetOrCreateSchemaAsync(typeof(ProblemResponse), null, cancellationToken).ConfigureAwait(false);
        if (context.Document is { } document)
        {
            if (document.Components?.Schemas?.ContainsKey(ProblemSchema) != true)
            {
                document.AddComponent(ProblemSchema, (OpenApiSchema)problem);
            }

            problem = new OpenApiSchemaReference(ProblemSchema, document);
        }

        operation.Responses ??= [];
        foreach (var status in refusals.GroupBy(e => e.Status).OrderBy(g => g.Key))
        {
            var description = new StringBuilder("Refused (problem+json). `code` is one of:");
            var codes = new JsonArray();
            foreach (var error in status.OrderBy(e => e.Code, StringComparer.Ordinal))
            {
                description.Append(CultureInfo.InvariantCulture, $"\n- `{error.Code}`: {error.Message}");
                codes.Add(error.Code);
            }

            operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = description.ToString(),
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
                Extensions = new Dictionary<string, IOpenApiExtension> { [CodesExtension] = new JsonNodeExtension(codes) },
            };
        }
    }

    private static string DocumentDescription()
    {
        var text = new StringBuilder(
            "Keyward's own API: sign-in and sessions, registration, keys, step-up, administration, WebSocket tickets and the " +
            "audit log. Every refusal is RFC 9457 problem+json with a stable `code`; each operation lists its codes by status " +
            "(also in `" + CodesExtension + "`). Any request may also meet:");
        foreach (var error in Everywhere)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n- {error.Status} `{error.Code}`: {error.Message}");
        }

        return text.ToString();
    }
}
