using System.Net;
using System.Text;

namespace Keyward.Fuzz.Harnesses;

/// <summary>Answers every JWKS fetch with one fixed document, without a network.</summary>
internal sealed class StaticJwksHandler(string jwks) : HttpMessageHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(jwks, Encoding.UTF8, "application/json") });
}
