namespace Keyward.LoadBench.Reporting;

/// <summary>
/// The counter's final value against the requests counted as successful (plus the final read itself): equal when
/// the generator counts every request it sent, at least as large when it abandons some in flight at the deadline.
/// </summary>
internal sealed record CounterCheck(long Value, long Counted, bool Exact)
{
    public bool Passed => Exact ? Value == Counted : Value >= Counted;
}
