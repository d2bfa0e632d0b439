namespace Keyward.Core.Capabilities;

/// <summary>Who an actor is. Actors are never people: people act through sessions.</summary>
public enum CapabilityActorKind
{
    /// <summary>An enrolled agent (authenticates with <c>kwa_</c> on the agent plane).</summary>
    Agent = 1,

    /// <summary>A service identity an admin created (authenticates with <c>kwv_</c> at its capability endpoint).</summary>
    Service = 2,
}
