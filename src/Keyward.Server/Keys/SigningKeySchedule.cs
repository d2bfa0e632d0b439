namespace Keyward.Server.Keys;

/// <summary>
/// What <see cref="ClusterSigningKeys"/> needs of the slices whose keys it rotates: how long an assertion key signs and
/// stays published after, and how long a capability key stays published after it stops signing. Made by the host from
/// <c>Keyward:Assertions</c> and <c>Keyward:Capabilities</c> (validated at start), so this slice reads neither.
/// </summary>
/// <param name="AssertionRotationInterval"><c>Keyward:Assertions:KeyRotationInterval</c>.</param>
/// <param name="AssertionOverlap"><c>Keyward:Assertions:KeyOverlap</c>.</param>
/// <param name="CapabilityOverlap"><c>Keyward:Capabilities:Lifetime</c>: a capability verifies for its whole life.</param>
internal sealed record SigningKeySchedule(TimeSpan AssertionRotationInterval, TimeSpan AssertionOverlap, TimeSpan CapabilityOverlap);
