namespace Keyward.Server.Limits;

/// <summary>
/// A run of failures in a row across the cluster: how many, and how long ago the last one was by the database's clock
/// (never 0 below; every node measures against the same clock).
/// </summary>
internal readonly record struct FailureRun(long Count, TimeSpan SinceLast);
