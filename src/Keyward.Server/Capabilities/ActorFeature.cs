using Keyward.Core.Capabilities;

namespace Keyward.Server.Capabilities;

/// <summary>The service identity an actor-plane request authenticated as (set by <see cref="ActorAuthenticationHandler"/>).</summary>
/// <param name="Identity">The identity its key belongs to.</param>
internal sealed record ActorFeature(ServiceIdentityInfo Identity);
