namespace Keyward.Samples.Counter;

/// <summary>The body of <c>POST /resource/counter</c>: <c>{"value": N}</c>, the value after this increment.</summary>
internal sealed record CounterResponse(long Value);
