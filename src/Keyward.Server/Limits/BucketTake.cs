namespace Keyward.Server.Limits;

/// <summary>What <see cref="IClusterCounters.TakeAsync"/> did: whether it took a token, and how many are left.</summary>
internal readonly record struct BucketTake(bool Taken, double Tokens);
