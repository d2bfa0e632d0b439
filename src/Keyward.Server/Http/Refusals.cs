namespace Keyward.Server.Http;

/// <summary>
/// Endpoint metadata: the refusals an endpoint answers itself, beyond those its policy, rate limit and body imply
/// (<see cref="ApiDescription"/> adds those). The API description lists them under the endpoint, so a client learns
/// every code it may have to handle from <c>/openapi/v1.json</c>.
/// </summary>
/// <param name="Errors">The endpoint's own refusals, from <see cref="KeywardErrors"/>.</param>
/// <param name="WebAuthnStatuses">For a ceremony finish: the statuses its WebAuthn failures (every code of
/// <see cref="KeywardErrors.WebAuthnCodes"/>) answer with: 400 for a response that does not parse, 401 for a sign-in
/// assertion that does not verify.</param>
internal sealed record Refusals(IReadOnlyList<KeywardError> Errors, IReadOnlyList<int>? WebAuthnStatuses = null);

/// <summary>Declares an endpoint's own refusals: <c>.Refuses(KeywardErrors.KeyNotFound, …)</c>.</summary>
internal static class RefusalsExtensions
{
    /// <summary>Adds <see cref="Refusals"/> metadata naming <paramref name="errors"/>.</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, params KeywardError[] errors)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new Refusals(errors));

    /// <summary>Adds <see cref="Refusals"/> metadata naming <paramref name="errors"/> and every WebAuthn ceremony failure at each of <paramref name="webAuthnStatuses"/>.</summary>
    public static TBuilder RefusesCeremony<TBuilder>(this TBuilder builder, int[] webAuthnStatuses, params KeywardError[] errors)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new Refusals(errors, webAuthnStatuses));
}

/// <summary>
/// Endpoint metadata: the query parameters an endpoint reads from <c>HttpRequest.Query</c> itself (it checks them with
/// its own refusals), so the API description can list them; each is an optional string.
/// </summary>
/// <param name="Names">The parameter names.</param>
internal sealed record QueryParameters(IReadOnlyList<string> Names);

/// <summary>Declares the query parameters an endpoint reads itself: <c>.WithQueryParameters("from", "to")</c>.</summary>
internal static class QueryParametersExtensions
{
    /// <summary>Adds <see cref="QueryParameters"/> metadata naming <paramref name="names"/>.</summary>
    public static TBuilder WithQueryParameters<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new QueryParameters(names));
}
