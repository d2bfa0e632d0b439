using Microsoft.Extensions.Options;

namespace Keyward.Server.Capabilities;

/// <summary>The per-actor limit on minting (<see cref="CapabilityOptions.MintsPerActorPerMinute"/>): each mint is a scope lookup and an audit event.</summary>
internal sealed class MintLimiter(IOptions<CapabilityOptions> options, TimeProvider time) : PerActorLimiter(time)
{
    protected override int Permits => options.Value.MintsPerActorPerMinute;
}
