using Keyward.Core.Support;
using Keyward.Server.Audit;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests.Relay;

/// <summary>
/// A support code is single use under contention on the agent plane (issue 11, "Speed"): 100 agents presenting one
/// code at once on <c>/agent/v1/connect</c> get exactly one upgrade; every other is refused 401
/// <c>support_code_invalid</c>. (The service-level race is in Keyward.Core.Tests' SupportCodeServiceTests; the timed
/// version with the requests held at their last byte is <c>Keyward.LoadBench --mode support-code</c>.)
/// </summary>
public sealed class AdHocContentionTests(AdHocContentionTests.Host host) : IClassFixture<AdHocContentionTests.Host>
{
    private const int Binders = 100;

    [Fact]
    public async Task HundredAgents_PresentingOneCodeAtOnce_ExactlyOneBinds_TheOthersAreRefused()
    {
        var admin = await host.AdminAsync();
        var (session, code) = await host.OpenSessionAsync(admin, machine: null);
        await host.NewEventsAsync();

        using var start = new ManualResetEventSlim(false);
        var binders = Enumerable.Range(0, Binders).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await host.ProbeConnectAsync(code!);
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(binders);

        Assert.Single(answers, a => a.StatusCode == 101);
        Assert.All(answers.Where(a => a.StatusCode != 101), a => ProblemAssert.Problem(a, 401, "support_code_invalid"));
        var events = await host.NewEventsAsync();
        Assert.Equal(session.ToString(), Assert.Single(events, e => e.Action == SupportAuditActions.CodeConsumed).Target);

        // The 99 refusals of one spent code from one address group are one event, then one count (RepeatedRefusals).
        Assert.Equal("consumed", Assert.Single(events, e => e.Action == SupportAuditActions.CodeRefused).Details["reason"]);
        await host.Host.GetRequiredService<RepeatedRefusals>().FlushAsync();
        var counted = Assert.Single(await host.NewEventsAsync(), e => e.Action == SupportAuditActions.CodeRefused);
        Assert.Equal(("consumed", (Binders - 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), (counted.Details["reason"], counted.Details["count"]));
    }

    /// <summary>The relay host with room for 100 code checks from loopback in a minute (the defaults allow 10).</summary>
    public sealed class Host : RelayHost
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["Keyward:Support:CodeChecksPerAddressPerMinute"] = "600",
            ["Keyward:Support:CodeFailuresPerMinute"] = "6000",
        };
    }
}
