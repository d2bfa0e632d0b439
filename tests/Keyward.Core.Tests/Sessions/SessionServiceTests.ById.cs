using Keyward.Core.Sessions;
using Keyward.Core.Storage;

namespace Keyward.Core.Tests.Sessions;

/// <summary>
/// Sessions named by id rather than token: CheckIdAsync (app sessions), InspectAsync (open WebSockets, records no use),
/// ListAsync (an account's live sessions), IsRevocableAsync and EndAsync by id.
/// </summary>
public sealed partial class SessionServiceTests
{
    [Fact]
    public async Task CheckIdAsync_LiveSession_ReturnsItAndRecordsTheUse()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromMinutes(20));

        var check = await sessions.CheckIdAsync(opened.Id);
        _time.Advance(TimeSpan.FromMinutes(20));

        Assert.Equal(opened.Id, check.Session!.Id);
        Assert.True((await sessions.CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task CheckIdAsync_OnANodeWithoutItCached_ReadsTheDatabase()
    {
        var (_, opened) = await OpenAsync(Service());
        var otherNode = Service(_store.Reopen());

        var check = await otherNode.CheckIdAsync(opened.Id);

        Assert.Equal(opened.Id, check.Session!.Id);
        Assert.Equal("alice", check.Session.AccountName);
    }

    [Fact]
    public async Task CheckIdAsync_UnknownId_ReturnsInvalid() =>
        Assert.Equal(SessionFailure.Invalid, (await Service().CheckIdAsync(Guid.NewGuid())).Failure);

    [Fact]
    public async Task CheckIdAsync_EndedOnThisNodeOrAnother_ReturnsLoggedOut()
    {
        var sessions = Service();
        var (_, opened) = await OpenAsync(sessions);
        Assert.True((await sessions.CheckIdAsync(opened.Id)).IsValid);

        Assert.True(await sessions.EndAsync(opened.Id));

        Assert.Equal(SessionFailure.LoggedOut, (await sessions.CheckIdAsync(opened.Id)).Failure);
        Assert.Equal(SessionFailure.LoggedOut, (await Service(_store.Reopen()).CheckIdAsync(opened.Id)).Failure);
        Assert.True(sessions.HasEndedOnThisNode(opened.Id));
    }

    [Fact]
    public async Task CheckIdAsync_AtAbsoluteExpiry_ReturnsExpired()
    {
        var options = Options with { IdleTimeout = Options.AbsoluteLifetime };
        var sessions = Service(options: options);
        var (_, opened) = await OpenAsync(sessions);

        _time.SetUtcNow(opened.ExpiresAt - TimeSpan.FromMilliseconds(1));
        Assert.True((await Service(_store.Reopen(), options).CheckIdAsync(opened.Id)).IsValid);
        _time.SetUtcNow(opened.ExpiresAt);

        Assert.Equal(SessionFailure.Expired, (await sessions.CheckIdAsync(opened.Id)).Failure);
        Assert.Equal(SessionFailure.Expired, (await Service(_store.Reopen(), options).CheckIdAsync(opened.Id)).Failure);
    }

    [Fact]
    public async Task CheckIdAsync_AccountDisabled_ReturnsAccountDisabledOnceTheCacheRevalidates()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        await DisableAsync(_alice.Id);

        _time.Advance(Options.CacheRevalidateInterval);

        Assert.Equal(SessionFailure.AccountDisabled, (await sessions.CheckIdAsync(opened.Id)).Failure);
        Assert.Equal(SessionFailure.AccountDisabled, (await sessions.CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task EndAsyncById_SecondTime_ReturnsFalse()
    {
        var sessions = Service();
        var (_, opened) = await OpenAsync(sessions);

        Assert.True(await sessions.EndAsync(opened.Id));
        Assert.False(await sessions.EndAsync(opened.Id));
        Assert.False(await sessions.EndAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task IsRevocableAsync_OnlyTheAccountsOwnLiveSession()
    {
        var sessions = Service();
        var (_, opened) = await OpenAsync(sessions);
        var bob = await _store.AddAccountAsync("bob");

        Assert.True(await sessions.IsRevocableAsync(_alice.Id, opened.Id));
        Assert.False(await sessions.IsRevocableAsync(bob.Id, opened.Id));
        Assert.False(await sessions.IsRevocableAsync(_alice.Id, Guid.NewGuid()));

        Assert.True(await sessions.RevokeAsync(_alice.Id, opened.Id));
        Assert.False(await sessions.IsRevocableAsync(_alice.Id, opened.Id));
    }

    [Fact]
    public async Task InspectAsync_NoIds_ReturnsEmpty() => Assert.Empty(await Service().InspectAsync([]));

    [Fact]
    public async Task InspectAsync_MixedSessions_ReportsEachWithoutRecordingAnyUse()
    {
        var sessions = Service();
        var (_, live) = await OpenAsync(sessions);
        var (_, ended) = await OpenAsync(sessions);
        var (_, revoked) = await OpenAsync(sessions);
        var unknown = Guid.NewGuid();
        Assert.True(await sessions.EndAsync(ended.Id));
        Assert.True(await Service(_store.Reopen()).RevokeAsync(_alice.Id, revoked.Id));
        _time.Advance(TimeSpan.FromMinutes(20));

        var states = await sessions.InspectAsync([live.Id, ended.Id, revoked.Id, unknown, live.Id]);

        Assert.Equal(4, states.Count);
        Assert.Equal(live.Id, states[live.Id].Session!.Id);
        Assert.Equal(live.CreatedAt + Options.IdleTimeout, states[live.Id].IdleExpiresAt);
        Assert.Equal(SessionFailure.LoggedOut, states[ended.Id].Failure);
        Assert.Equal(SessionFailure.Revoked, states[revoked.Id].Failure);
        Assert.Equal(SessionFailure.Invalid, states[unknown].Failure);

        // Inspecting is not a use: the live session still goes idle 30 minutes after it was opened.
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(SessionFailure.IdleExpired, (await sessions.InspectAsync([live.Id]))[live.Id].Failure);
    }

    [Fact]
    public async Task InspectAsync_CountsThisNodesInMemoryUseNotYetWrittenBack()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        var usedAt = _time.GetUtcNow();
        Assert.Equal(opened.CreatedAt.ToUnixTimeMilliseconds(), (await _store.SessionRowAsync(opened.Id)).LastSeenAt);

        var state = (await sessions.InspectAsync([opened.Id]))[opened.Id];

        Assert.Equal(usedAt + Options.IdleTimeout, state.IdleExpiresAt);
    }

    [Fact]
    public async Task InspectAsync_AtIdleTimeoutAndAtAbsoluteExpiry_ReportsEach()
    {
        var sessions = Service();
        var (_, opened) = await OpenAsync(sessions);

        _time.Advance(Options.IdleTimeout - TimeSpan.FromMilliseconds(1));
        Assert.True((await sessions.InspectAsync([opened.Id]))[opened.Id].IsValid);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(SessionFailure.IdleExpired, (await sessions.InspectAsync([opened.Id]))[opened.Id].Failure);

        _time.SetUtcNow(opened.ExpiresAt);
        Assert.Equal(SessionFailure.Expired, (await sessions.InspectAsync([opened.Id]))[opened.Id].Failure);
    }

    [Fact]
    public async Task InspectAsync_AccountDisabled_ReturnsAccountDisabled()
    {
        var sessions = Service();
        var (_, opened) = await OpenAsync(sessions);
        await DisableAsync(_alice.Id);

        Assert.Equal(SessionFailure.AccountDisabled, (await sessions.InspectAsync([opened.Id]))[opened.Id].Failure);
    }

    [Fact]
    public async Task ListAsync_ReturnsTheAccountsLiveSessionsNewestFirst()
    {
        var sessions = Service();
        var (_, first) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromMinutes(1));
        var (_, second) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromMinutes(1));
        var (_, ended) = await OpenAsync(sessions);
        Assert.True(await sessions.EndAsync(ended.Id));
        var bob = await _store.AddAccountAsync("bob");
        await OpenAsync(sessions, bob);

        var list = await sessions.ListAsync(_alice.Id);

        Assert.Equal([second.Id, first.Id], list.Select(s => s.Id));
    }

    [Fact]
    public async Task ListAsync_LeavesOutIdleSessionsButCountsInMemoryUse()
    {
        var sessions = Service();
        var (_, idle) = await OpenAsync(sessions);
        var (token, used) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await sessions.CheckAsync(token)).IsValid);

        _time.Advance(Options.IdleTimeout - TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, (await sessions.ListAsync(_alice.Id)).Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal([used.Id], (await sessions.ListAsync(_alice.Id)).Select(s => s.Id));
        Assert.NotEqual(idle.Id, used.Id);
    }

    [Fact]
    public async Task ListAsync_AtAbsoluteExpiry_LeavesTheSessionOut()
    {
        var options = Options with { IdleTimeout = Options.AbsoluteLifetime, LastSeenWriteInterval = TimeSpan.Zero };
        var sessions = Service(options: options);
        var (_, opened) = await OpenAsync(sessions);

        _time.SetUtcNow(opened.ExpiresAt - TimeSpan.FromMilliseconds(1));
        Assert.Single(await sessions.ListAsync(_alice.Id));
        _time.SetUtcNow(opened.ExpiresAt);

        Assert.Empty(await sessions.ListAsync(_alice.Id));
    }

    [Fact]
    public void Constructor_NullOptions_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new SessionService(_store.Database, _time, null!));

    [Fact]
    public async Task CreateAsync_NullAccount_Throws() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => Service().CreateAsync(null!, Guid.NewGuid(), userVerified: true, "192.0.2.1"));

    [Fact]
    public async Task CreateAsync_GivenId_UsesItAndReturnsIdleExpiryFromNow()
    {
        var id = Guid.NewGuid();

        var (_, session, idleExpiresAt) = await Service().CreateAsync(_alice, Guid.NewGuid(), userVerified: false, "192.0.2.1", id);

        Assert.Equal(id, session.Id);
        Assert.False(session.UserVerified);
        Assert.Equal(_time.GetUtcNow() + Options.IdleTimeout, idleExpiresAt);
        Assert.Equal(id, (await _store.SessionRowAsync(id)).Id);
    }

    [Fact]
    public async Task CheckAsync_RevalidatedFromTheDatabase_KeepsTheInMemoryUseNotYetWrittenBack()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await sessions.CheckAsync(token)).IsValid);

        // Past the revalidate interval the next check reads the row (whose last use is still the sign-in), but the
        // use 30 s after sign-in still counts, so the session is not idle yet.
        _time.Advance(Options.IdleTimeout - TimeSpan.FromMilliseconds(1));

        Assert.True((await sessions.CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task CheckAsync_LastUse_WrittenBackExactlyOnceEveryWriteInterval()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);

        _time.Advance(Options.LastSeenWriteInterval - TimeSpan.FromMilliseconds(1));
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        Assert.Equal(opened.CreatedAt.ToUnixTimeMilliseconds(), (await _store.SessionRowAsync(opened.Id)).LastSeenAt);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var writtenAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        Assert.Equal(writtenAt, (await _store.SessionRowAsync(opened.Id)).LastSeenAt);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        Assert.Equal(writtenAt, (await _store.SessionRowAsync(opened.Id)).LastSeenAt);
    }

    [Fact]
    public async Task CheckAsync_WriteBack_TouchesOnlyTheSessionUsed()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        var (_, other) = await OpenAsync(sessions);

        _time.Advance(Options.LastSeenWriteInterval);
        Assert.True((await sessions.CheckAsync(token)).IsValid);

        Assert.Equal(other.CreatedAt.ToUnixTimeMilliseconds(), (await _store.SessionRowAsync(other.Id)).LastSeenAt);
    }

    [Fact]
    public async Task EndAsync_SessionWithAStepUp_DeletesTheStepUp()
    {
        var sessions = Service();
        var (_, opened) = await OpenAsync(sessions);
        await using (var db = _store.Database.CreateContext())
        {
            db.StepUps.Add(new StepUpEntity
            {
                Id = Guid.NewGuid(),
                TenantId = Tenants.Default,
                SessionId = opened.Id,
                AccountId = _alice.Id,
                AuthenticatorId = opened.AuthenticatorId,
                Purpose = "route",
                Target = "admin",
                CreatedAt = _time.GetUtcNow().ToUnixTimeMilliseconds(),
                ExpiresAt = _time.GetUtcNow().AddMinutes(5).ToUnixTimeMilliseconds(),
            });
            await db.SaveChangesAsync();
        }

        Assert.True(await sessions.EndAsync(opened.Id));

        await using var check = _store.Database.CreateContext();
        Assert.Empty(check.StepUps);
    }

    private async Task DisableAsync(Guid accountId)
    {
        await using var db = _store.Database.CreateContext();
        var account = await db.Accounts.FindAsync(accountId);
        account!.DisabledAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await db.SaveChangesAsync();
    }
}
