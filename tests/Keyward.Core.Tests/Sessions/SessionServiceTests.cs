using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Sessions;

/// <summary>
/// <see cref="SessionService"/> on a real SQLite file, with a fake clock: absolute and idle expiry, how use pushes idle
/// expiry back, and how long a node trusts its cached view. Ending sessions is in SessionServiceTests.Ending.cs.
/// </summary>
public sealed partial class SessionServiceTests : IAsyncLifetime
{
    private static readonly SessionOptions Options = new()
    {
        AbsoluteLifetime = TimeSpan.FromHours(2),
        IdleTimeout = TimeSpan.FromMinutes(30),
        CacheRevalidateInterval = TimeSpan.FromSeconds(5),
        LastSeenWriteInterval = TimeSpan.FromMinutes(1),
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
    private SessionDatabase _store = null!;
    private AccountEntity _alice = null!;

    public async Task InitializeAsync()
    {
        _store = await SessionDatabase.CreateAsync();
        _alice = await _store.AddAccountAsync("alice");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task CheckAsync_FreshToken_ReturnsTheSessionWithIdleExpiryCountedFromNow()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromMinutes(1));

        var check = await sessions.CheckAsync(token);

        Assert.True(check.IsValid);
        Assert.Null(check.Failure);
        Assert.Equal(opened.Id, check.Session!.Id);
        Assert.Equal(_alice.Id, check.Session.AccountId);
        Assert.Equal("alice", check.Session.AccountName);
        Assert.Equal(opened.CreatedAt + Options.AbsoluteLifetime, check.Session.ExpiresAt);
        Assert.Equal(_time.GetUtcNow() + Options.IdleTimeout, check.IdleExpiresAt);
    }

    [Fact]
    public async Task CheckAsync_UsedEvery20MinutesUntilAbsoluteLifetime_ReturnsExpired()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        while (_time.GetUtcNow() + TimeSpan.FromMinutes(20) < opened.ExpiresAt)
        {
            _time.Advance(TimeSpan.FromMinutes(20));
            Assert.True((await sessions.CheckAsync(token)).IsValid);
        }

        _time.SetUtcNow(opened.ExpiresAt - TimeSpan.FromMilliseconds(1));
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var check = await sessions.CheckAsync(token);

        Assert.False(check.IsValid);
        Assert.Equal(SessionFailure.Expired, check.Failure);
        Assert.Equal("session_expired", SessionFailures.Code(SessionFailure.Expired));
    }

    [Fact]
    public async Task CheckAsync_UnusedForJustUnderIdleTimeout_ReturnsValid()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        _time.Advance(Options.IdleTimeout - TimeSpan.FromMilliseconds(1));

        Assert.True((await sessions.CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task CheckAsync_UnusedForIdleTimeout_ReturnsIdleExpired()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        _time.Advance(Options.IdleTimeout);

        var check = await sessions.CheckAsync(token);

        Assert.False(check.IsValid);
        Assert.Equal(SessionFailure.IdleExpired, check.Failure);
    }

    [Fact]
    public async Task CheckAsync_AfterIdleExpiry_StaysIdleExpiredWhenReadAgainFromTheDatabase()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        _time.Advance(Options.IdleTimeout);
        Assert.Equal(SessionFailure.IdleExpired, (await sessions.CheckAsync(token)).Failure);

        // The refused check dropped the cached entry: this one reads the row, and must not revive the session.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SessionFailure.IdleExpired, (await sessions.CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task CheckAsync_Used_PushesIdleExpiryBack()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromMinutes(20));

        var used = await sessions.CheckAsync(token);
        _time.Advance(TimeSpan.FromMinutes(20));
        var later = await sessions.CheckAsync(token);

        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMinutes(20) + Options.IdleTimeout, used.IdleExpiresAt);
        // 40 minutes after sign-in, past the idle timeout, but only 20 after the last use.
        Assert.True(later.IsValid);
        Assert.Equal(_time.GetUtcNow() + Options.IdleTimeout, later.IdleExpiresAt);
    }

    [Fact]
    public async Task CheckAsync_UsedWithinTheCacheWindow_PushesIdleExpiryBackBeforeAnyWriteBack()
    {
        // Idle timeout shorter than the cache window and the write-back interval: only this node's memory of the use
        // can keep the session alive.
        var options = new SessionOptions
        {
            AbsoluteLifetime = TimeSpan.FromHours(1),
            IdleTimeout = TimeSpan.FromSeconds(20),
            CacheRevalidateInterval = TimeSpan.FromMinutes(1),
            LastSeenWriteInterval = TimeSpan.FromSeconds(15),
        };
        var sessions = Service(options: options);
        var (token, opened) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        Assert.Equal(opened.CreatedAt.ToUnixTimeMilliseconds(), (await _store.SessionRowAsync(opened.Id)).LastSeenAt);

        // 25 s after sign-in (past the 20 s idle timeout), 15 s after the use only this node remembers.
        _time.Advance(TimeSpan.FromSeconds(15));
        var check = await sessions.CheckAsync(token);

        Assert.True(check.IsValid);
    }

    [Fact]
    public async Task CheckAsync_AfterRestart_CountsIdleTimeFromTheLastUseWrittenBack()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.True((await sessions.CheckAsync(token)).IsValid);

        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), (await _store.SessionRowAsync(opened.Id)).LastSeenAt);
        _time.Advance(TimeSpan.FromMinutes(20));
        var restarted = Service(_store.Reopen());
        Assert.True((await restarted.CheckAsync(token)).IsValid);
        _time.Advance(Options.IdleTimeout);
        Assert.Equal(SessionFailure.IdleExpired, (await restarted.CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task CheckAsync_RevokedOnAnotherNode_AcceptedFromCacheUntilTheRevalidateIntervalThenRevoked()
    {
        var thisNode = Service();
        var otherNode = Service(_store.Reopen());
        var (token, opened) = await OpenAsync(thisNode);

        Assert.True(await otherNode.RevokeAsync(_alice.Id, opened.Id));
        _time.Advance(Options.CacheRevalidateInterval - TimeSpan.FromMilliseconds(1));
        var cached = await thisNode.CheckAsync(token);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var revalidated = await thisNode.CheckAsync(token);

        // Documented bound (SessionOptions.CacheRevalidateInterval): another node may honour a revoked session this long.
        Assert.True(cached.IsValid);
        Assert.Equal(SessionFailure.Revoked, revalidated.Failure);
    }

    [Fact]
    public async Task CheckAsync_ZeroRevalidateInterval_SeesAnotherNodesRevocationAtOnce()
    {
        var options = Options with { CacheRevalidateInterval = TimeSpan.Zero };
        var thisNode = Service(options: options);
        var otherNode = Service(_store.Reopen(), options);
        var (token, opened) = await OpenAsync(thisNode);
        Assert.True((await thisNode.CheckAsync(token)).IsValid);

        Assert.True(await otherNode.RevokeAsync(_alice.Id, opened.Id));

        Assert.Equal(SessionFailure.Revoked, (await thisNode.CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task CheckAsync_BadChecksumWithTheDatabaseUnreachable_ReturnsInvalidWithoutReadingIt()
    {
        var token = SecretToken.Generate(CredentialKind.Session);
        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        var sessions = Service(UnreachableDatabase());

        var check = await sessions.CheckAsync(tampered);

        Assert.Equal(SessionFailure.Invalid, check.Failure);
    }

    [Fact]
    public async Task CheckAsync_WellFormedTokenWithTheDatabaseUnreachable_ReadsTheDatabase()
    {
        // The control for the test above: a well-formed token does reach the (missing) database.
        var sessions = Service(UnreachableDatabase());

        await Assert.ThrowsAsync<SqliteException>(async () => await sessions.CheckAsync(SecretToken.Generate(CredentialKind.Session)));
    }

    private SessionService Service(KeywardDatabase? database = null, SessionOptions? options = null) =>
        new(database ?? _store.Database, _time, options ?? Options);

    private async Task<(string Token, SessionInfo Session)> OpenAsync(SessionService sessions, AccountEntity? account = null, Guid? authenticatorId = null)
    {
        var (token, session, _) = await sessions.CreateAsync(account ?? _alice, authenticatorId ?? Guid.NewGuid(), userVerified: true, "192.0.2.1");
        return (token, session);
    }

    /// <summary>A SQLite file that does not exist and may not be created: any read throws.</summary>
    private static KeywardDatabase UnreachableDatabase()
    {
        var missing = Path.Combine(Path.GetTempPath(), "keyward-missing-" + Guid.NewGuid().ToString("N"), "keyward.db");
        return new KeywardDatabase(new StorageOptions { ConnectionString = $"Data Source={missing};Mode=ReadWrite" }, Path.GetTempPath());
    }
}
