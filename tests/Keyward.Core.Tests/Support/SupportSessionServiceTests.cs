using Keyward.Core.Storage;
using Keyward.Core.Support;
using Keyward.Core.Tests.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Support;

/// <summary><see cref="SupportSessionService"/>: open, list, end once, and reap what stayed pending too long (fake clock).</summary>
public sealed class SupportSessionServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Pending = TimeSpan.FromMinutes(15);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly Guid _alice = Guid.NewGuid();
    private readonly Guid _bob = Guid.NewGuid();
    private SessionDatabase _store = null!;

    public async Task InitializeAsync() => _store = await SessionDatabase.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private SupportSessionService Service() => new(_store.Database, _time);

    private Task<SupportSession> OpenAsync(SupportSessionService service, Guid account, Guid? machine = null) => service.OpenAsync(new SupportSessionRequest
    {
        Id = Guid.NewGuid(),
        AccountId = account,
        LoginSessionId = Guid.NewGuid(),
        MachineId = machine,
        Attended = true,
        Reason = "printer",
        PendingLifetime = Pending,
    });

    [Fact]
    public async Task OpenAsync_IsPendingInTheDefaultTenant_UntilItsPendingLifetime()
    {
        var opened = await OpenAsync(Service(), _alice);

        Assert.Equal((SupportSessionStates.Pending, true), (opened.State, opened.IsOpen));
        Assert.Equal(_time.GetUtcNow() + Pending, opened.ExpiresAt);
        await using var db = _store.Database.CreateContext();
        Assert.Equal(Tenants.Default, db.SupportSessions.Single().TenantId);
    }

    [Fact]
    public async Task ListOpenAsync_OnesOwnOrEveryOne_NewestFirst_WithoutEnded()
    {
        var sessions = Service();
        var first = await OpenAsync(sessions, _alice);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await OpenAsync(sessions, _alice);
        var bobs = await OpenAsync(sessions, _bob);
        var ended = await OpenAsync(sessions, _alice);
        Assert.True(await sessions.EndAsync(ended.Id, SupportEndReasons.Ended));

        Assert.Equal([second.Id, first.Id], (await sessions.ListOpenAsync(_alice, _alice)).Select(s => s.Id));
        Assert.Equal(3, (await sessions.ListOpenAsync(null, _alice)).Count);
        Assert.Contains(bobs.Id, (await sessions.ListOpenAsync(null, _alice)).Select(s => s.Id));
    }

    [Fact]
    public async Task EndAsync_Once_RaisesEndedOnce_AndRecordsWhy()
    {
        var sessions = Service();
        var opened = await OpenAsync(sessions, _alice);
        var ended = new List<Guid>();
        sessions.Ended += ended.Add;

        Assert.True(await sessions.EndAsync(opened.Id, SupportEndReasons.Ended));
        Assert.False(await sessions.EndAsync(opened.Id, SupportEndReasons.Ended));

        Assert.Equal([opened.Id], ended);
        var row = await sessions.FindAsync(opened.Id, _alice);
        Assert.Equal((SupportSessionStates.Ended, SupportEndReasons.Ended, false), (row!.State, row.EndedReason, row.IsOpen));
    }

    [Fact]
    public async Task ReapAsync_EndsOnlyThosePastTheirPendingLifetime()
    {
        var sessions = Service();
        var old = await OpenAsync(sessions, _alice);
        _time.Advance(TimeSpan.FromMinutes(1));
        var young = await OpenAsync(sessions, _alice);

        _time.Advance(Pending - TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await sessions.ReapAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([old.Id], await sessions.ReapAsync());

        Assert.Equal(SupportEndReasons.Expired, (await sessions.FindAsync(old.Id, _alice))!.EndedReason);
        Assert.True((await sessions.FindAsync(young.Id, _alice))!.IsOpen);
    }

    [Fact]
    public async Task CountOpen_ForMachineAndAccount_CountOnlyOpenOnes()
    {
        var sessions = Service();
        var machine = Guid.NewGuid();
        await OpenAsync(sessions, _alice, machine);
        var ended = await OpenAsync(sessions, _bob, machine);
        await sessions.EndAsync(ended.Id, SupportEndReasons.Ended);

        Assert.Equal(1, await sessions.CountOpenForMachineAsync(machine, _alice));
        Assert.Equal(1, await sessions.CountOpenForAccountAsync(_alice));
        Assert.Equal(0, await sessions.CountOpenForAccountAsync(_bob));
    }
}
