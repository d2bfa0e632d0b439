namespace Keyward.LoadBench.SignIn;

/// <summary>What a sign-in client child did in its timed run, printed as one JSON line.</summary>
internal sealed record ClientResult(long Operations, long Failed, double Seconds, double P50Milliseconds, double P99Milliseconds, string? FirstError);
