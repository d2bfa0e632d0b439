using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Keyward.Core.Accounts;
using Keyward.Core.Storage;
using Keyward.Server.Sessions;
using Keyward.Server.Tests.Infrastructure;
using Keyward.Testing;
using Microsoft.Extensions.Logging;

namespace Keyward.Server.Tests.Slices;

/// <summary>
/// Issue 16 item 10: <c>Bob</c> and a Cyrillic <c>bоb</c> registered beside <c>bob</c>. Every way in prepares names
/// (RFC 8265 UsernameCaseMapped, one script): invites, the first admin's setup code, sign-in lookup and its stand-in
/// ids, the sign-in limiter's account key. Accounts named before are reported at start, never renamed.
/// </summary>
public sealed class AccountNamePreparationTests
{
    private const string Invites = "/api/admin/invites";

    [Fact]
    public async Task Invite_LookAlikeOfAnExistingName_ReturnsAccountExists()
    {
        await using var host = await KeywardTestHost.StartAsync();
        using var client = host.CreateClient();
        await client.RegisterAdminAsync(host.SetupCode!);
        var admin = await client.LoginAsync("admin");
        await client.StepUpAsync(admin.Token, "admin");

        foreach (var lookAlike in new[] { "Admin", "ADMIN", " admin ", "\uFF41\uFF44\uFF4D\uFF49\uFF4E" })
        {
            ProblemAssert.Problem(await client.PostAsync(Invites, new JsonObject { ["account_name"] = lookAlike, ["role"] = "user" }, admin.Token), 409, "account_exists");
        }
    }

    [Theory]
    [InlineData("\u0430dmin")]   // Cyrillic а, then Latin
    [InlineData("b\u043Eb")]     // Latin b, Cyrillic о
    [InlineData("bob smith")]
    [InlineData("bob\u200B")]    // zero-width space
    [InlineData("\uFB01le")]     // ligature
    public async Task Invite_NameOutsideTheProfile_ReturnsUsernameInvalid(string name)
    {
        await using var host = await KeywardTestHost.StartAsync();
        using var client = host.CreateClient();
        await client.RegisterAdminAsync(host.SetupCode!);
        var admin = await client.LoginAsync("admin");
        await client.StepUpAsync(admin.Token, "admin");

        var refused = await client.PostAsync(Invites, new JsonObject { ["account_name"] = name, ["role"] = "user" }, admin.Token);

        ProblemAssert.Problem(refused, 400, "username_invalid");
        Assert.DoesNotContain(name, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetupCode_NameOutsideTheProfile_ReturnsUsernameInvalid_AndAValidOneIsStoredPrepared()
    {
        await using var host = await KeywardTestHost.StartAsync();
        using var client = host.CreateClient();

        ProblemAssert.Problem(await client.RegisterBeginAsync(new JsonObject { ["setup_code"] = host.SetupCode, ["username"] = "\u0430dmin" }), 400, "username_invalid");
        var registered = await client.RegisterAdminAsync(host.SetupCode!, "\uFF21dmin");

        Assert.Equal("admin", registered.Account);
        Assert.Equal("admin", (await host.GetService<AccountService>().FindAccountByTypedNameAsync("ADMIN"))!.Name);
    }

    [Fact]
    public async Task SignIn_EverySpellingOfAName_GetsOneAnswer_KnownOrNot()
    {
        await using var host = await KeywardTestHost.StartAsync();
        using var client = host.CreateClient();
        await client.RegisterAdminAsync(host.SetupCode!, "Carol");

        async Task<string> Allowed(string name) =>
            (await client.LoginBeginAsync(name)).EnsureSuccess().Json.GetProperty("public_key").GetProperty("allowCredentials").GetRawText();

        var carol = await Allowed("carol");
        Assert.Equal(carol, await Allowed("CAROL"));
        Assert.Equal(carol, await Allowed("\uFF43\uFF41\uFF52\uFF4F\uFF4C"));
        Assert.Equal("carol", (await client.LoginAsync("CaRoL")).Account);

        // An unknown name's stand-in ids follow the same lookup key, so spellings cannot tell known from unknown.
        var zed = await Allowed("zed");
        Assert.Equal(zed, await Allowed("ZED"));
        Assert.Equal(zed, await Allowed("\uFF5A\uFF45\uFF44"));
        Assert.NotEqual(carol, zed);
    }

    [Fact]
    public void SignInLimiterAccountKey_Spellings_ShareOneKey()
    {
        Assert.Equal(SignInLimiter.AccountKey("bob"), SignInLimiter.AccountKey("BOB"));
        Assert.Equal(SignInLimiter.AccountKey("bob"), SignInLimiter.AccountKey("\uFF42\uFF4F\uFF42"));
        Assert.Equal(SignInLimiter.AccountKey("bob"), SignInLimiter.AccountKey(" Bob "));
        Assert.NotEqual(SignInLimiter.AccountKey("bob"), SignInLimiter.AccountKey("b\u043Eb"));
    }

    [Fact]
    public async Task Start_AccountsNamedBeforePreparation_AreReportedByIdAndNotRenamed_AndBlockLookAlikes()
    {
        using var data = new TempDirectory();
        Guid upper, shouting, mixed;
        var key = KeywardTestClient.NewKey();
        await using (var first = await KeywardTestHost.StartAsync(new KeywardTestHostOptions { DataDirectory = data.Path }))
        {
            using var client = first.CreateClient();
            await client.RegisterAdminAsync(first.SetupCode!, key: key);

            // Rows as an older Keyward stored them: trimmed, nothing more.
            await using var db = first.GetService<KeywardDatabase>().CreateContext();
            upper = Legacy(db, "Bob");
            shouting = Legacy(db, "BOB");
            mixed = Legacy(db, "b\u043Eb");
            await db.SaveChangesAsync();
        }

        var lines = new ConcurrentQueue<string>();
        await using var host = await KeywardTestHost.StartAsync(new KeywardTestHostOptions
        {
            DataDirectory = data.Path,
            Logging = logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(new CapturingProvider(lines)),
        });

        var lookAlike = Assert.Single(lines, l => l.Contains("2005", StringComparison.Ordinal));
        Assert.Contains(upper.ToString(), lookAlike, StringComparison.Ordinal);
        Assert.Contains(shouting.ToString(), lookAlike, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("2006", StringComparison.Ordinal) && l.Contains(mixed.ToString(), StringComparison.Ordinal) && l.Contains("MixedScript", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("2006", StringComparison.Ordinal) && l.Contains(upper.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Bob", StringComparison.Ordinal) || l.Contains("b\u043Eb", StringComparison.Ordinal));

        // Not renamed: each still answers to its exact spelling.
        var accounts = host.GetService<AccountService>();
        Assert.Equal(upper, (await accounts.FindAccountByTypedNameAsync("Bob"))!.Id);
        Assert.Equal(mixed, (await accounts.FindAccountByTypedNameAsync("b\u043Eb"))!.Id);

        // And a new "bob" cannot join them.
        using var client2 = host.CreateClient();
        var admin = await client2.LoginAsync("admin", key);
        await client2.StepUpAsync(admin.Token, "admin", key: key);
        ProblemAssert.Problem(await client2.PostAsync(Invites, new JsonObject { ["account_name"] = "bob", ["role"] = "user" }, admin.Token), 409, "account_exists");
    }

    private static Guid Legacy(KeywardDbContext db, string name)
    {
        var id = Guid.NewGuid();
        db.Accounts.Add(new AccountEntity { Id = id, TenantId = Tenants.Default, Name = name, Role = "user", UserHandle = id.ToByteArray(), CreatedAt = 1 });
        return id;
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{eventId.Id} {formatter(state, exception)}");
        }
    }
}
