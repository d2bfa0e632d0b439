using System.Text.Json.Nodes;
using Keyward.Core.Credentials;
using Keyward.Server.Tests.Infrastructure;

namespace Keyward.Server.Tests;

/// <summary>
/// Issue 16, item 12: one setup code exists, so wrong guesses are limited across all addresses (a token bucket), and the
/// limit cannot lock the real admin out: with the bucket empty, the right code waits seconds, then works.
/// </summary>
public abstract partial class BrokerTests
{
    [Fact]
    public async Task SetupCode_WrongGuessesFromSeveralAddressesAtOnce_AreBoundedGlobally_AndCannotKeepAFirstTryOut()
    {
        var host = await StartHostAsync(s => s["Keyward:SignIn:SetupCodeFailuresPerMinute"] = "5");
        var client = ClientOf(host);
        var code = host.SetupCode!;
        Task<KeywardResponse> BeginFrom(string address, string setupCode) => client.SendAsync(
            HttpMethod.Post, "/api/register/begin", new JsonObject { ["setup_code"] = setupCode, ["username"] = "admin" }, configure: TestClientAddress.From(address));

        // 40 guesses at once from 4 addresses: the bucket's 5 are checked, plus at most each address's first check
        // when it found the bucket empty; everything else is refused unchecked.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => BeginFrom($"198.51.100.{1 + (i % 4)}", HumanCode.Generate())));
        var checkedCount = answers.Count(a => a.StatusCode == 401 && a.Code == "setup_code_invalid");
        Assert.InRange(checkedCount, 5, 5 + 4);
        var limited = answers.Where(a => a.StatusCode == 429 && a.Code == "rate_limited").ToList();
        Assert.Equal(40 - checkedCount, limited.Count);
        Assert.All(limited, a => Assert.InRange(a.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12)));

        // The right code from a flooding address: refused unchecked, with a wait of one token (60 s / 5).
        var early = await BeginFrom("198.51.100.1", code);
        ProblemAssert.Problem(early, 429, "rate_limited");
        var wait = early.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12));

        // The flood keeps the bucket empty, but the real admin's first try from their own address is still checked.
        ProblemAssert.Ok(await BeginFrom("203.0.113.9", code));

        // And after the wait, the flooding address's next check is made too; the admin then registers.
        host.Time.Advance(wait);
        ProblemAssert.Ok(await BeginFrom("198.51.100.1", code));
        var registered = await client.RegisterAdminAsync(code);
        Assert.Equal(("admin", "admin"), (registered.Account, registered.Role));
    }

    [Fact]
    public async Task SetupCode_RightCode_GivesItsTokenBackAndTheBucketRefillsToItsSize()
    {
        var host = await StartHostAsync(s => s["Keyward:SignIn:SetupCodeFailuresPerMinute"] = "2");
        var client = ClientOf(host);
        var code = host.SetupCode!;

        // Checking the right code costs nothing: twice, then the bucket still holds both guesses.
        ProblemAssert.Ok(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = code, ["username"] = "admin" }));
        ProblemAssert.Ok(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = code, ["username"] = "admin" }));
        for (var round = 0; round < 2; round++)
        {
            ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = HumanCode.Generate(), ["username"] = "x" }), 401, "setup_code_invalid");
            ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = HumanCode.Generate(), ["username"] = "x" }), 401, "setup_code_invalid");
            ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = HumanCode.Generate(), ["username"] = "x" }), 429, "rate_limited");

            // Five minutes refill it to its size, no more.
            host.Time.Advance(TimeSpan.FromMinutes(5));
        }
    }
}
