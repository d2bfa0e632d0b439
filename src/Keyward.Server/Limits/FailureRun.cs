namespace Keyward.Server.Limits;

/// <summary>A run of failures in a row across the cluster: how many, and when the last one was.</summary>
internal readonly record struct FailureRun(long Count, DateTimeOffset LastFailure);
