using System.Net;
using Keyward.Server.Http;

namespace Keyward.Server.Agents;

/// <summary>
/// Binds an ad-hoc agent to the one support session whose support code it presents (the support slice implements it
/// over its rate-limited, single-use code check; the agent plane must not import the support slice, which imports it).
/// </summary>
internal interface IAdHocBinder
{
    /// <summary>Consumes <paramref name="code"/>: the support session it binds to, or the refusal (already recorded).</summary>
    Task<Outcome<Guid>> BindAsync(string code, IPAddress? address, CancellationToken cancellationToken);
}
