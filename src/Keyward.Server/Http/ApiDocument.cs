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
    private readonly Lock _lock = new();
    private Task<byte[]>? _bytes;

    /// <summary>The document as UTF-8 JSON (OpenAPI 3.1): made by the first caller, shared by the rest; made again only after a failure.</summary>
    public Task<byte[]> GetAsync()
    {
        lock (_lock)
        {
            if (_bytes is null || _bytes.IsFaulted || _bytes.IsCanceled)
            {
                _bytes = GenerateAsync(services);
            }

            return _bytes;
        }
    }

    private static async Task<byte[]> GenerateAsync(IServiceProvider services)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiDescription.DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None).ConfigureAwait(false);
        var json = await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, CancellationToken.None).ConfigureAwait(false);
        return Encoding.UTF8.GetBytes(json);
    }
}
