using System.Net;
using Keyward.Server.Agents;
using Keyward.Server.Http;

namespace Keyward.Server.Support;

/// <summary>The agent plane's ad-hoc bind, over <see cref="SupportCodeBinder"/> (rate-limited, single use, every answer recorded).</summary>
internal sealed class SupportAdHocBinder(SupportCodeBinder binder) : IAdHocBinder
{
    public async Task<Outcome<Guid>> BindAsync(string code, IPAddress? address, CancellationToken cancellationToken)
    {
        var bound = await binder.BindAsync(code, address, cancellationToken).ConfigureAwait(false);
        return bound.Refused ? bound.Refusal : bound.Value.SupportSessionId;
    }
}
