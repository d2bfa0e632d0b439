namespace Keyward.LoadBench.Reporting;

/// <summary>
/// What each proxy itself costs in CPU per request: the bench process's CPU per request on its path minus that on
/// the direct path, where the bench process only runs the built-in generator (or, with wrk, idles). Unlike
/// requests/s, this does not depend on who else shares the cores — though contention still inflates it somewhat.
/// </summary>
internal sealed record ProxyCost(double Baseline, double Yarp, double Keyward)
{
    public double Ratio => Yarp > 0 ? Keyward / Yarp : 0;

    public static ProxyCost From(TargetSummary direct, TargetSummary yarp, TargetSummary keyward) =>
        new(direct.BenchMicroseconds, yarp.BenchMicroseconds - direct.BenchMicroseconds, keyward.BenchMicroseconds - direct.BenchMicroseconds);
}
