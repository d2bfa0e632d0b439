namespace Keyward.LoadBench.Trivial;

/// <summary>The trivial upstream's answer: how many resource requests it has served, itself included.</summary>
internal sealed record Hit(long Value);
