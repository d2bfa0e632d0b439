using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Keyward.Server.Http;

/// <summary>
/// <c>/openapi/v1.json</c>'s bytes, generated once from the platform's document provider (<see cref="ApiDescription"/>)
/// and kept: the endpoints, their metadata and the public origin are fixed while Keyward runs.
/// </summary>
internal sealed class ApiDocument(IServiceProvider services)
{
    private readonly Lazy<Task<byte[]>> _bytes = new(() => GenerateAsync(services), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The document as UTF-8 JSON (OpenAPI 3.1).</summary>
    public Task<byte[]> GetAsync() => _bytes.Value;

    private static async Task<byte[]> GenerateAsync(IServiceProvider services)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiDescription.DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None).ConfigureAwait(false);
        var json = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, CancellationToken.None).ConfigureAwait(false);
        return Encoding.UTF8.GetBytes(json);
    }
}
