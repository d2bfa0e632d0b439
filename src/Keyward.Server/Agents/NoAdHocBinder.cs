using System.Net;
using Keyward.Server.Http;

namespace Keyward.Server.Agents;

/// <summary>The <see cref="IAdHocBinder"/> when the support slice is not registered: every code is refused.</summary>
internal sealed class NoAdHocBinder : IAdHocBinder
{
    public Task<Outcome<Guid>> BindAsync(string code, IPAddress? address, CancellationToken cancellationToken) =>
        Task.FromResult<Outcome<Guid>>(new Refusal(KeywardErrors.SupportCodeInvalid, AuditAction: null));
}
