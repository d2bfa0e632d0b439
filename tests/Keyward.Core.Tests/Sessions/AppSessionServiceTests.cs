using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Sessions;

/// <summary>
/// <see cref="AppSessionService"/> on a real SQLite file with a fake clock: an app cookie is valid only on its own host
/// (case-insensitively), only while its parent session is, and the same from a node that has not cached it.
/// </summary>
public sealed class AppSessionServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
    private readonly SessionOptions _options = new() { AbsoluteLifetime = TimeSpan.FromHours(2), IdleTimeout = TimeSpan.FromHours(2) };
    private SessionDatabase _store = null!;
    private SessionService _sessions = null!;
    private SessionInfo _parent = null!;

    public async Task InitializeAsync()
    {
        _store = await SessionDatabase.CreateAsync();
        var alice = await _store.AddAccountAsync("alice");
        _sessions = new SessionService(_store.Database, _time, _options);
        (_, _parent, _) = await _sessions.CreateAsync(alice, Guid.NewGuid(), userVerified: true, "192.0.2.1");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private AppSessionService Service() => new(_store.Database, _sessions, _time);

    [Fact]
    public async Task CreateAsync_StoresTheHashTheLowercasedHostAndTheParentsExpiry()
    {
        var id = Guid.NewGuid();
        var token = await Service().CreateAsync(_parent, "App.Example", id);

        Assert.True(SecretToken.IsWellFormed(CredentialKind.AppSession, token));
        await using var db = _store.Database.CreateContext();
        var row = await db.AppSessions.SingleAsync();
        Assert.Equal(id, row.Id);
        Assert.Equal(SecretToken.Hash(CredentialKind.AppSession, token), row.TokenHash);
        Assert.Equal("app.example", row.Host);
        Assert.Equal(_parent.Id, row.SessionId);
        Assert.Equal(Tenants.Default, row.TenantId);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), row.CreatedAt);
        Assert.Equal(_parent.ExpiresAt.ToUnixTimeMilliseconds(), row.ExpiresAt);
    }

    [Theory]
    [InlineData("app.example")]
    [InlineData("APP.EXAMPLE")]
    public async Task CheckAsync_OnItsHost_IsTheParentSession(string host)
    {
        var apps = Service();
        var token = await apps.CreateAsync(_parent, "app.example");

        var check = await apps.CheckAsync(token, host);

        Assert.True(check.IsValid);
        Assert.Equal(_parent.Id, check.Session!.Id);
    }

    [Fact]
    public async Task CheckAsync_OnAnotherHost_ReturnsInvalid()
    {
        var apps = Service();
        var token = await apps.CreateAsync(_parent, "app.example");

        var check = await apps.CheckAsync(token, "other.example");

        Assert.False(check.IsValid);
        Assert.Equal(SessionFailure.Invalid, check.Failure);
    }

    [Fact]
    public async Task CheckAsync_OnANodeThatDidNotCreateIt_ReadsTheBindingFromTheDatabase()
    {
        var token = await Service().CreateAsync(_parent, "app.example");
        var otherNode = Service();

        Assert.Equal(SessionFailure.Invalid, (await otherNode.CheckAsync(token, "other.example")).Failure);
        Assert.True((await otherNode.CheckAsync(token, "app.example")).IsValid);
        Assert.True((await otherNode.CheckAsync(token, "app.example")).IsValid);
        Assert.Equal(SessionFailure.Invalid, (await otherNode.CheckAsync(token, "other.example")).Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kwp_not-a-token")]
    public async Task CheckAsync_Malformed_ReturnsInvalid(string? token)
    {
        var check = await Service().CheckAsync(token, "app.example");

        Assert.False(check.IsValid);
        Assert.Equal(SessionFailure.Invalid, check.Failure);
    }

    [Fact]
    public async Task CheckAsync_WellFormedButUnknown_ReturnsInvalid()
    {
        var check = await Service().CheckAsync(SecretToken.Generate(CredentialKind.AppSession), "app.example");

        Assert.Equal(SessionFailure.Invalid, check.Failure);
    }

    [Fact]
    public async Task CheckAsync_ParentEnded_FailsWithTheParentsFailureOnEveryCheck()
    {
        var apps = Service();
        var token = await apps.CreateAsync(_parent, "app.example");
        Assert.True((await apps.CheckAsync(token, "app.example")).IsValid);

        Assert.True(await _sessions.EndAsync(_parent.Id));

        var first = await apps.CheckAsync(token, "app.example");
        var second = await apps.CheckAsync(token, "app.example");
        Assert.False(first.IsValid);
        Assert.NotNull(first.Failure);
        Assert.Equal(first.Failure, second.Failure);
    }

    [Fact]
    public async Task PurgeAsync_KeepsRowsUntilTheParentsExpiryHasPassed_ThenDeletesThem()
    {
        var apps = Service();
        await apps.CreateAsync(_parent, "app.example");

        _time.SetUtcNow(_parent.ExpiresAt);
        Assert.Equal(0, await apps.PurgeAsync());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await apps.PurgeAsync());
    }

    [Fact]
    public async Task CreateAsync_NoHost_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Service().CreateAsync(_parent, ""));
    }
}
