using Keyward.Core.Accounts;
using Keyward.Core.Credentials;
using Keyward.Core.Handoffs;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Core.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Handoffs;

/// <summary>
/// <see cref="HandoffService"/> on a real SQLite file with a fake clock: what a code is bound to, single use, the
/// 60-second lifetime to the millisecond, refusal of malformed and foreign codes, and how long spent rows are kept.
/// </summary>
public sealed class HandoffServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
    private SessionDatabase _store = null!;
    private SessionInfo _session = null!;

    public async Task InitializeAsync()
    {
        _store = await SessionDatabase.CreateAsync();
        AccountEntity alice = await _store.AddAccountAsync("alice");
        var sessions = new SessionService(_store.Database, _time, new SessionOptions());
        (_, _session, _) = await sessions.CreateAsync(alice, Guid.NewGuid(), userVerified: true, "192.0.2.1");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private HandoffService Service() => new(_store.Database, _time);

    private Task<string> IssueAsync(HandoffService handoffs, Guid? id = null) =>
        handoffs.IssueAsync(_session, "App.Example", "challenge-value", "/landing?x=1", id);

    [Fact]
    public void Lifetime_IsSixtySeconds() => Assert.Equal(TimeSpan.FromSeconds(60), HandoffService.Lifetime);

    [Fact]
    public async Task IssueAsync_ReturnsAKwhCode_StoringOnlyTheHashAndTheLowercasedHost()
    {
        var id = Guid.NewGuid();
        var code = await IssueAsync(Service(), id);

        Assert.True(SecretToken.IsWellFormed(CredentialKind.Handoff, code));
        await using var db = _store.Database.CreateContext();
        var row = await db.HandoffCodes.SingleAsync();
        Assert.Equal(id, row.Id);
        Assert.Equal(SecretToken.Hash(CredentialKind.Handoff, code), row.CodeHash);
        Assert.Equal("app.example", row.Host);
        Assert.Equal(1, row.UsesLeft);
        Assert.Equal(Tenants.Default, row.TenantId);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), row.CreatedAt);
        Assert.Equal((_time.GetUtcNow() + HandoffService.Lifetime).ToUnixTimeMilliseconds(), row.ExpiresAt);
    }

    [Fact]
    public async Task IssueAsync_WithoutId_GivesEachCodeItsOwnId()
    {
        var handoffs = Service();
        await IssueAsync(handoffs);
        await IssueAsync(handoffs);

        await using var db = _store.Database.CreateContext();
        var ids = await db.HandoffCodes.Select(h => h.Id).ToListAsync();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.DoesNotContain(Guid.Empty, ids);
    }

    [Fact]
    public async Task RedeemAsync_FreshCode_ReturnsWhatItIsBoundTo()
    {
        var handoffs = Service();
        var id = Guid.NewGuid();
        var code = await IssueAsync(handoffs, id);

        var redemption = await handoffs.RedeemAsync(code);

        Assert.Null(redemption.Failure);
        Assert.Equal(new HandoffCode(id, "app.example", _session.Id, "challenge-value", "/landing?x=1"), redemption.Code);
    }

    [Fact]
    public async Task RedeemAsync_SecondTime_ReturnsConsumed()
    {
        var handoffs = Service();
        var code = await IssueAsync(handoffs);
        Assert.NotNull((await handoffs.RedeemAsync(code)).Code);

        var again = await handoffs.RedeemAsync(code);

        Assert.Null(again.Code);
        Assert.Equal(HandoffFailure.Consumed, again.Failure);
    }

    [Fact]
    public async Task RedeemAsync_OneMillisecondBeforeExpiry_SucceedsAndAtExpiry_ReturnsExpired()
    {
        var handoffs = Service();
        var early = await IssueAsync(handoffs);
        var late = await IssueAsync(handoffs);

        _time.Advance(HandoffService.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.NotNull((await handoffs.RedeemAsync(early)).Code);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var expired = await handoffs.RedeemAsync(late);
        Assert.Null(expired.Code);
        Assert.Equal(HandoffFailure.Expired, expired.Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kwh_not-a-code")]
    public async Task RedeemAsync_Malformed_ReturnsInvalid(string? code)
    {
        var redemption = await Service().RedeemAsync(code);

        Assert.Null(redemption.Code);
        Assert.Equal(HandoffFailure.Invalid, redemption.Failure);
    }

    [Fact]
    public async Task RedeemAsync_WellFormedButNeverIssued_ReturnsInvalid()
    {
        var redemption = await Service().RedeemAsync(SecretToken.Generate(CredentialKind.Handoff));

        Assert.Equal(HandoffFailure.Invalid, redemption.Failure);
    }

    [Fact]
    public async Task RedeemAsync_SessionTokenOfTheSameBody_ReturnsInvalid()
    {
        var handoffs = Service();
        var code = await IssueAsync(handoffs);

        var redemption = await handoffs.RedeemAsync(SecretToken.Prefix(CredentialKind.Session) + code[4..]);

        Assert.Equal(HandoffFailure.Invalid, redemption.Failure);
        Assert.NotNull((await handoffs.RedeemAsync(code)).Code);
    }

    [Fact]
    public async Task IssueAsync_NoHost_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Service().IssueAsync(_session, "", "challenge", "/"));
    }

    [Fact]
    public async Task PurgeAsync_KeepsRowsUntilRetentionAfterExpiryHasPassed_ThenDeletesThem()
    {
        var handoffs = Service();
        var code = await IssueAsync(handoffs);

        _time.Advance(HandoffService.Lifetime + HandoffService.Retention);
        Assert.Equal(0, await handoffs.PurgeAsync());
        Assert.Equal(HandoffFailure.Expired, (await handoffs.RedeemAsync(code)).Failure);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await handoffs.PurgeAsync());
        Assert.Equal(HandoffFailure.Invalid, (await handoffs.RedeemAsync(code)).Failure);
    }
}
