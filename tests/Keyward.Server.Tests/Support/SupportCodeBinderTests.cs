using System.Net;
using Keyward.Core.Credentials;
using Keyward.Core.Support;
using Keyward.Server.Audit;
using Keyward.Server.Support;

namespace Keyward.Server.Tests.Support;

/// <summary>
/// Binding an ad-hoc agent with a support code (issue 11, item 3), through the server's <see cref="SupportCodeBinder"/>
/// (round 2's agent plane calls it): single use, one refusal code for every wrong answer, rate-limited per address
/// and globally, and no lockout of a real code, from another address, by a flood that empties the global bucket.
/// </summary>
public sealed class SupportCodeBinderTests : IAsyncLifetime
{
    private SupportHost _keyward = null!;

    public async Task InitializeAsync() => _keyward = await SupportHost.StartAsync(new Dictionary<string, string>
    {
        ["Keyward:Support:CodeChecksPerAddressPerMinute"] = "5",
        ["Keyward:Support:CodeFailuresPerMinute"] = "8",
    });

    public async Task DisposeAsync() => await _keyward.DisposeAsync();

    private SupportCodeBinder Binder => _keyward.Host.GetRequiredService<SupportCodeBinder>();

    private async Task<(Guid Session, string Code)> OpenAdHocAsync()
    {
        var opened = await _keyward.OpenAsync(_keyward.Admin);
        return (opened.Json.GetProperty("id").GetGuid(), opened.Json.GetProperty("support_code").GetString()!);
    }

    [Fact]
    public async Task Bind_RightCode_BindsItsSessionOnce_ThenTheSameOneCodeAsAWrongGuess()
    {
        var (session, code) = await OpenAdHocAsync();

        var bound = await Binder.BindAsync(code, IPAddress.Parse("198.51.100.1"), CancellationToken.None);
        var again = await Binder.BindAsync(code, IPAddress.Parse("198.51.100.2"), CancellationToken.None);
        var wrong = await Binder.BindAsync(HumanCode.Generate(), IPAddress.Parse("198.51.100.3"), CancellationToken.None);

        Assert.Equal(session, bound.Value.SupportSessionId);
        Assert.Equal("support_code_invalid", again.Refusal!.Error.Code);
        Assert.Equal("support_code_invalid", wrong.Refusal!.Error.Code);
        var events = await _keyward.EventsAsync();
        Assert.Equal(session.ToString(), Assert.Single(events, e => e.Action == SupportAuditActions.CodeConsumed).Target);
        Assert.Equal(["consumed", "unknown"], events.Where(e => e.Action == SupportAuditActions.CodeRefused).Select(e => e.Details["reason"]));
        Assert.All(events, e => Assert.DoesNotContain(code, string.Join(" ", e.Details.Values.Append(e.Target ?? string.Empty)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bind_EndedSessionsCode_IsRefused()
    {
        var (session, code) = await OpenAdHocAsync();
        ProblemAssertOk(await _keyward.Client.SendAsync(HttpMethod.Post, $"/api/support/sessions/{session}/end", new System.Text.Json.Nodes.JsonObject(), _keyward.Admin.Token));

        var refused = await Binder.BindAsync(code, IPAddress.Loopback, CancellationToken.None);

        Assert.Equal("support_code_invalid", refused.Refusal!.Error.Code);
    }

    [Fact]
    public async Task BruteForce_FromOneAddress_HitsThePerAddressLimit_WithoutLockingTheRealCode()
    {
        var (_, code) = await OpenAdHocAsync();
        var attacker = IPAddress.Parse("203.0.113.9");

        var answers = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            answers.Add((await Binder.BindAsync(HumanCode.Generate(), attacker, CancellationToken.None)).Refusal!.Error.Code);
        }

        Assert.Equal([.. Enumerable.Repeat("support_code_invalid", 5), "support_code_rate_limited", "support_code_rate_limited"], answers);
        Assert.True((await Binder.BindAsync(code, IPAddress.Parse("192.0.2.50"), CancellationToken.None)).Value is not null);

        // The limit is audited once per address and window, not once per refused guess.
        Assert.Single(await _keyward.EventsAsync(), e => e.Action == SupportAuditActions.CodeRefused && e.Details["code"] == "support_code_rate_limited");

        // A new minute window lets the address try again.
        _keyward.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("support_code_invalid", (await Binder.BindAsync(HumanCode.Generate(), attacker, CancellationToken.None)).Refusal!.Error.Code);
    }

    [Fact]
    public async Task BruteForce_FromManyAddresses_EmptiesTheGlobalBucket_ButARealCodeFromAFreshAddressStillBinds()
    {
        var (session, code) = await OpenAdHocAsync();

        // Three addresses (each under its own limit of 5) spend the global bucket of 8; then a guess from an address
        // that has guessed this minute is refused unchecked.
        var answers = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var from = IPAddress.Parse($"203.0.113.{(i % 3) + 1}");
            answers.Add((await Binder.BindAsync(HumanCode.Generate(), from, CancellationToken.None)).Refusal!.Error.Code);
        }

        Assert.Equal([.. Enumerable.Repeat("support_code_invalid", 8), "support_code_rate_limited", "support_code_rate_limited"], answers);

        // The real agent, from an address group that has not checked a code this minute, still gets its check.
        var bound = await Binder.BindAsync(code, IPAddress.Parse("192.0.2.77"), CancellationToken.None);
        Assert.Equal(session, bound.Value.SupportSessionId);
    }

    [Fact]
    public async Task SpentCode_PresentedAgain_IsOneEventThenOneCount_NeverTheCode()
    {
        var (_, code) = await OpenAdHocAsync();
        var agent = IPAddress.Parse("198.51.100.30");
        Assert.True((await Binder.BindAsync(code, agent, CancellationToken.None)).Value is not null);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("support_code_invalid", (await Binder.BindAsync(code.ToLowerInvariant(), agent, CancellationToken.None)).Refusal!.Error.Code);
        }

        var first = Assert.Single(await _keyward.EventsAsync(), e => e.Action == SupportAuditActions.CodeRefused);
        Assert.Equal("consumed", first.Details["reason"]);

        await _keyward.Host.GetRequiredService<RepeatedRefusals>().FlushAsync();
        var refused = (await _keyward.EventsAsync()).Where(e => e.Action == SupportAuditActions.CodeRefused).ToList();
        Assert.Equal(2, refused.Count);
        Assert.Equal(("consumed", "3"), (refused[1].Details["reason"], refused[1].Details["count"]));
        Assert.All(refused, e => Assert.DoesNotContain(code, string.Join(" ", e.Details.Values.Append(e.Target ?? string.Empty)), StringComparison.OrdinalIgnoreCase));
    }

    private static void ProblemAssertOk(Keyward.Client.KeywardResponse response) => Assert.Equal(200, response.StatusCode);
}
