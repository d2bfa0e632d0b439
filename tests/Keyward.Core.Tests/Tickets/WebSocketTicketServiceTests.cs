using Keyward.Core.Accounts;
using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.Core.Tests.Sessions;
using Keyward.Core.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Tickets;

/// <summary>
/// <see cref="WebSocketTicketService"/> on a real SQLite file with a fake clock: what a ticket is bound to, single use,
/// expiry to the millisecond, refusal of malformed and foreign tokens, and how long spent rows are kept.
/// </summary>
public sealed class WebSocketTicketServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

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

    private WebSocketTicketService Service() => new(_store.Database, _time);

    [Fact]
    public async Task IssueAsync_ReturnsAKwtTokenAndItsExpiry_StoringOnlyTheHash()
    {
        var (token, expiresAt) = await Service().IssueAsync(_session, "counter", "https://app.example", Lifetime);

        Assert.True(SecretToken.IsWellFormed(CredentialKind.WebSocketTicket, token));
        Assert.Equal(_time.GetUtcNow() + Lifetime, expiresAt);
        await using var db = _store.Database.CreateContext();
        var row = await db.WebSocketTickets.SingleAsync();
        Assert.Equal(SecretToken.Hash(CredentialKind.WebSocketTicket, token), row.TokenHash);
        Assert.Equal(1, row.UsesLeft);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), row.CreatedAt);
        Assert.Equal(Tenants.Default, row.TenantId);
    }

    [Fact]
    public async Task RedeemAsync_FreshTicket_ReturnsWhatItIsBoundTo()
    {
        var tickets = Service();
        var (token, expiresAt) = await tickets.IssueAsync(_session, "counter", "https://app.example", Lifetime);

        var redemption = await tickets.RedeemAsync(token);

        Assert.True(redemption.Succeeded);
        Assert.Null(redemption.Failure);
        var ticket = redemption.Ticket!;
        Assert.Equal(_session.AccountId, ticket.AccountId);
        Assert.Equal(_session.Id, ticket.SessionId);
        Assert.Equal("counter", ticket.RouteId);
        Assert.Equal("https://app.example", ticket.Origin);
        Assert.Equal(expiresAt, ticket.ExpiresAt);
        Assert.NotEqual(Guid.Empty, ticket.Id);
    }

    [Fact]
    public async Task RedeemAsync_SecondTime_ReturnsConsumed()
    {
        var tickets = Service();
        var (token, _) = await tickets.IssueAsync(_session, "counter", origin: null, Lifetime);
        Assert.True((await tickets.RedeemAsync(token)).Succeeded);

        var again = await tickets.RedeemAsync(token);

        Assert.False(again.Succeeded);
        Assert.Equal(TicketFailure.Consumed, again.Failure);
    }

    [Fact]
    public async Task RedeemAsync_OneMillisecondBeforeExpiry_SucceedsAndAtExpiry_ReturnsExpired()
    {
        var tickets = Service();
        var (early, _) = await tickets.IssueAsync(_session, "counter", origin: null, Lifetime);
        var (late, _) = await tickets.IssueAsync(_session, "counter", origin: null, Lifetime);

        _time.Advance(Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.True((await tickets.RedeemAsync(early)).Succeeded);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var expired = await tickets.RedeemAsync(late);
        Assert.False(expired.Succeeded);
        Assert.Equal(TicketFailure.Expired, expired.Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kwt_not-a-ticket")]
    public async Task RedeemAsync_Malformed_ReturnsInvalid(string? token)
    {
        var redemption = await Service().RedeemAsync(token);

        Assert.False(redemption.Succeeded);
        Assert.Equal(TicketFailure.Invalid, redemption.Failure);
    }

    [Fact]
    public async Task RedeemAsync_WellFormedButNeverIssued_ReturnsInvalid()
    {
        var redemption = await Service().RedeemAsync(SecretToken.Generate(CredentialKind.WebSocketTicket));

        Assert.Equal(TicketFailure.Invalid, redemption.Failure);
    }

    [Fact]
    public async Task RedeemAsync_TicketPrefixRewrittenFromAnotherKind_ReturnsInvalid()
    {
        var tickets = Service();
        var (token, _) = await tickets.IssueAsync(_session, "counter", origin: null, Lifetime);

        var redemption = await tickets.RedeemAsync(SecretToken.Prefix(CredentialKind.Handoff) + token[4..]);

        Assert.Equal(TicketFailure.Invalid, redemption.Failure);
        Assert.True((await tickets.RedeemAsync(token)).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task IssueAsync_LifetimeNotPositive_Throws(int milliseconds)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Service().IssueAsync(_session, "counter", origin: null, TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public async Task IssueAsync_OneMillisecondLifetime_IsAccepted()
    {
        var (_, expiresAt) = await Service().IssueAsync(_session, "counter", origin: null, TimeSpan.FromMilliseconds(1));

        Assert.Equal(_time.GetUtcNow().AddMilliseconds(1), expiresAt);
    }

    [Fact]
    public async Task IssueAsync_NoRoute_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Service().IssueAsync(_session, "", origin: null, Lifetime));
    }

    [Fact]
    public async Task PurgeAsync_KeepsRowsUntilRetentionAfterExpiryHasPassed_ThenDeletesThem()
    {
        var tickets = Service();
        var (token, _) = await tickets.IssueAsync(_session, "counter", origin: null, Lifetime);

        _time.Advance(Lifetime + WebSocketTicketService.Retention);
        Assert.Equal(0, await tickets.PurgeAsync());
        Assert.Equal(TicketFailure.Expired, (await tickets.RedeemAsync(token)).Failure);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await tickets.PurgeAsync());
        Assert.Equal(TicketFailure.Invalid, (await tickets.RedeemAsync(token)).Failure);
    }
}
