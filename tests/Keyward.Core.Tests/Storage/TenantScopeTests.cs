using Keyward.Core.Agents;
using Keyward.Core.Storage;
using Keyward.Core.Support;
using Keyward.Core.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Storage;

/// <summary>
/// Issue 11, item 9 (tenancy-ready): machines, enroll tokens, support sessions and support codes carry a tenant id (the
/// default today), and every caller-facing query of them goes through <see cref="TenantScope"/>. A row moved to another
/// tenant directly in the database is invisible to each of those queries, while its twin in the default tenant is seen:
/// a query that stopped filtering by tenant would see the other tenant's row and fail here. Lookups by a presented
/// credential's hash (agent key, enroll token, support code) and the sweeps by id are global by nature and not tested here.
/// </summary>
public sealed class TenantScopeTests : IAsyncLifetime
{
    private const string OtherTenant = "tenant-b";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly Guid _alice = Guid.NewGuid();
    private SessionDatabase _store = null!;

    public async Task InitializeAsync() => _store = await SessionDatabase.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public void Of_IsTheDefaultTenantForEveryCaller()
    {
        Assert.Equal(Tenants.Default, TenantScope.Of(null));
        Assert.Equal(Tenants.Default, TenantScope.Of(_alice));
    }

    [Fact]
    public async Task NewRows_CarryTheDefaultTenant()
    {
        var (token, machine, _) = await EnrollAsync("box");
        var session = await OpenAsync(machine);
        await new SupportCodeService(_store.Database, _time).IssueAsync(session.Id, _alice, TimeSpan.FromMinutes(10));

        await using var db = _store.Database.CreateContext();
        Assert.Equal(Tenants.Default, (await db.EnrollTokens.SingleAsync(t => t.Id == token)).TenantId);
        Assert.Equal(Tenants.Default, (await db.Machines.SingleAsync(m => m.Id == machine)).TenantId);
        Assert.Equal(Tenants.Default, (await db.SupportSessions.SingleAsync(s => s.Id == session.Id)).TenantId);
        Assert.Equal(Tenants.Default, (await db.SupportCodes.SingleAsync(c => c.SupportSessionId == session.Id)).TenantId);
    }

    [Fact]
    public async Task MachineOfAnotherTenant_IsInvisibleToListFindRevokeAndDelete()
    {
        var (_, ours, _) = await EnrollAsync("ours");
        var (_, theirs, theirKey) = await EnrollAsync("theirs");
        await MoveToOtherTenantAsync(db => db.Machines.Where(m => m.Id == theirs).ExecuteUpdateAsync(s => s.SetProperty(m => m.TenantId, OtherTenant)));
        var machines = new MachineService(_store.Database, _time);

        Assert.Equal([ours], (await machines.ListAsync(Tenants.Default, 100)).Select(m => m.Id));
        Assert.NotNull(await machines.FindAsync(ours, Tenants.Default));
        Assert.Null(await machines.FindAsync(theirs, Tenants.Default));
        Assert.False(await machines.RevokeKeyAsync(theirs, Tenants.Default));
        Assert.Empty(await machines.DeleteAsync([theirs], null, Tenants.Default));

        // Untouched: its key still works, and in its own tenant it is there (the tenant alone hid it).
        Assert.Equal(theirs, (await machines.AuthenticateAsync(theirKey)).Machine?.Id);
        Assert.NotNull(await machines.FindAsync(theirs, OtherTenant));
        Assert.Equal([theirs], (await machines.ListAsync(OtherTenant, 100)).Select(m => m.Id));
    }

    [Fact]
    public async Task EnrollTokenOfAnotherTenant_CannotBeRevokedFromTheDefaultTenant()
    {
        var enrollment = new EnrollmentService(_store.Database, _time);
        var ours = await CreateTokenAsync(enrollment);
        var theirs = await CreateTokenAsync(enrollment);
        await MoveToOtherTenantAsync(db => db.EnrollTokens.Where(t => t.Id == theirs).ExecuteUpdateAsync(s => s.SetProperty(t => t.TenantId, OtherTenant)));

        Assert.False(await enrollment.RevokeAsync(theirs, Tenants.Default));
        Assert.True(await enrollment.RevokeAsync(ours, Tenants.Default));

        await using (var db = _store.Database.CreateContext())
        {
            Assert.Null((await db.EnrollTokens.SingleAsync(t => t.Id == theirs)).RevokedAt);
        }

        Assert.True(await enrollment.RevokeAsync(theirs, OtherTenant));
    }

    [Fact]
    public async Task SupportSessionOfAnotherTenant_IsInvisibleToFindListAndTheCaps()
    {
        var (_, machine, _) = await EnrollAsync("box");
        var ours = await OpenAsync(machine);
        var theirs = await OpenAsync(machine);
        await MoveToOtherTenantAsync(db => db.SupportSessions.Where(s => s.Id == theirs.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.TenantId, OtherTenant)));
        var sessions = new SupportSessionService(_store.Database, _time);

        Assert.NotNull(await sessions.FindAsync(ours.Id, _alice));
        Assert.Null(await sessions.FindAsync(theirs.Id, _alice));
        Assert.Null(await sessions.FindAsync(theirs.Id, null));
        Assert.Equal([ours.Id], (await sessions.ListOpenAsync(null, _alice)).Select(s => s.Id));
        Assert.Equal([ours.Id], (await sessions.ListOpenAsync(_alice, _alice)).Select(s => s.Id));
        Assert.Equal(1, await sessions.CountOpenForMachineAsync(machine, _alice));
        Assert.Equal(1, await sessions.CountOpenForAccountAsync(_alice));
    }

    private async Task MoveToOtherTenantAsync(Func<KeywardDbContext, Task<int>> update)
    {
        await using var db = _store.Database.CreateContext();
        Assert.Equal(1, await update(db));
    }

    private static async Task<Guid> CreateTokenAsync(EnrollmentService enrollment)
    {
        var id = Guid.NewGuid();
        await enrollment.CreateAsync("box", AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, id);
        return id;
    }

    private async Task<(Guid Token, Guid Machine, string Key)> EnrollAsync(string label)
    {
        var enrollment = new EnrollmentService(_store.Database, _time);
        var id = Guid.NewGuid();
        var (token, _) = await enrollment.CreateAsync(label, AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, id);
        var enrolled = await enrollment.EnrollAsync(token, "host", "1.0");
        return (id, enrolled.Machine!.Id, enrolled.AgentKey!);
    }

    private Task<SupportSession> OpenAsync(Guid machine) => new SupportSessionService(_store.Database, _time).OpenAsync(new SupportSessionRequest
    {
        Id = Guid.NewGuid(),
        AccountId = _alice,
        LoginSessionId = Guid.NewGuid(),
        MachineId = machine,
        Attended = true,
        Reason = "printer",
        PendingLifetime = TimeSpan.FromMinutes(15),
    });
}
