namespace Keyward.LoadBench.SignIn;

/// <summary>What Keyward's process spends per second with no client: CPU seconds, and bytes allocated.</summary>
internal sealed record IdleRate(double CpuPerSecond, double BytesPerSecond);
