namespace Keyward.Server.Limits;

/// <summary>
/// What <see cref="IClusterCounters.AddAsync"/> did: the cluster's total for the key in <paramref name="Window"/> (the
/// window's index, to pass back for a refund into the same window) and how long that window has left.
/// </summary>
internal readonly record struct CounterWindow(long Total, long Window, TimeSpan Left);
