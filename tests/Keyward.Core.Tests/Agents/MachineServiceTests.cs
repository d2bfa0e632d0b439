using Keyward.Core.Agents;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Keyward.Core.Tests.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Agents;

/// <summary><see cref="MachineService"/> on a real SQLite file with a fake clock.</summary>
public sealed class MachineServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private SessionDatabase _store = null!;

    public async Task InitializeAsync() => _store = await SessionDatabase.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private MachineService Machines() => new(_store.Database, _time);

    private async Task<(MachineInfo Machine, string Key)> EnrollAsync(string label = "box")
    {
        var enrollment = new EnrollmentService(_store.Database, _time);
        var (token, _) = await enrollment.CreateAsync(label, AgentPolicies.Attended, Joiners.AdminsOnly, TimeSpan.FromHours(1), null, Tenants.Default, Guid.NewGuid());
        var enrolled = await enrollment.EnrollAsync(token, "host", "1.0");
        return (enrolled.Machine!, enrolled.AgentKey!);
    }

    [Fact]
    public async Task AuthenticateAsync_LiveKey_IsItsMachine()
    {
        var (machine, key) = await EnrollAsync();
        await EnrollAsync("other");

        var check = await Machines().AuthenticateAsync(key);

        Assert.Equal(machine.Id, check.Machine?.Id);
    }

    [Fact]
    public async Task AuthenticateAsync_MalformedForeignOrUnknown_IsInvalid()
    {
        Assert.Equal(AgentKeyFailure.Invalid, (await Machines().AuthenticateAsync(null)).Failure);
        Assert.Equal(AgentKeyFailure.Invalid, (await Machines().AuthenticateAsync("kwa_garbage")).Failure);
        Assert.Equal(AgentKeyFailure.Invalid, (await Machines().AuthenticateAsync(SecretToken.Generate(CredentialKind.Agent))).Failure);
        Assert.Equal(AgentKeyFailure.Invalid, (await Machines().AuthenticateAsync(SecretToken.Generate(CredentialKind.Session))).Failure);
    }

    [Fact]
    public async Task RevokeKeyAsync_RefusesTheKeyAfterwards_AndRaisesKeyEnded()
    {
        var (machine, key) = await EnrollAsync();
        var (_, otherKey) = await EnrollAsync("other");
        var machines = Machines();
        var ended = new List<Guid>();
        machines.KeyEnded += ended.Add;

        Assert.True(await machines.RevokeKeyAsync(machine.Id, Tenants.Default));

        Assert.Equal(AgentKeyFailure.Revoked, (await machines.AuthenticateAsync(key)).Failure);
        Assert.True((await machines.AuthenticateAsync(otherKey)).Succeeded);
        Assert.Equal([machine.Id], ended);
        Assert.Equal([machine.Id], await machines.EndedAsync([machine.Id, (await machines.AuthenticateAsync(otherKey)).Machine!.Id]));
    }

    [Fact]
    public async Task RevokeKeyAsync_UnknownOrOtherTenant_IsFalse()
    {
        var (machine, key) = await EnrollAsync();

        Assert.False(await Machines().RevokeKeyAsync(Guid.NewGuid(), Tenants.Default));
        Assert.False(await Machines().RevokeKeyAsync(machine.Id, "other"));
        Assert.True((await Machines().AuthenticateAsync(key)).Succeeded);
    }

    [Fact]
    public async Task DeleteAsync_SoftDeletesOnlyTheLiveOnesNamed_AndTheirKeysStopWorking()
    {
        var (first, firstKey) = await EnrollAsync("one");
        var (second, _) = await EnrollAsync("two");
        var (kept, keptKey) = await EnrollAsync("three");
        var machines = Machines();
        var ended = new List<Guid>();
        machines.KeyEnded += ended.Add;

        var deleted = await machines.DeleteAsync([first.Id, second.Id, Guid.NewGuid()], Guid.NewGuid(), Tenants.Default);

        Assert.Equal(new[] { first.Id, second.Id }.Order(), deleted.Order());
        Assert.Equal(deleted.Order(), ended.Order());
        Assert.Equal(AgentKeyFailure.Deleted, (await machines.AuthenticateAsync(firstKey)).Failure);
        Assert.True((await machines.AuthenticateAsync(keptKey)).Succeeded);
        Assert.Equal([kept.Id], (await machines.ListAsync(Tenants.Default, 100)).Select(m => m.Id));
        Assert.Empty(await machines.DeleteAsync([first.Id], null, Tenants.Default));
    }

    [Fact]
    public async Task DeleteAsync_MoreThanTheBulkBound_Throws()
    {
        var ids = Enumerable.Range(0, MachineService.MaxBulk + 1).Select(_ => Guid.NewGuid()).ToList();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Machines().DeleteAsync(ids, null, Tenants.Default));
    }

    [Fact]
    public async Task ListAsync_OtherTenant_SeesNothing()
    {
        await EnrollAsync();

        Assert.Empty(await Machines().ListAsync("other", 100));
        Assert.Single(await Machines().ListAsync(Tenants.Default, 100));
    }

    [Fact]
    public async Task RecordSeenAsync_WritesAtMostOncePerInterval()
    {
        var (machine, _) = await EnrollAsync();
        var machines = Machines();

        Assert.False(await machines.RecordSeenAsync(machine.Id, "2.0", null));
        _time.Advance(MachineService.LastSeenInterval);
        Assert.True(await machines.RecordSeenAsync(machine.Id, "2.0", null));
        Assert.False(await machines.RecordSeenAsync(machine.Id, "3.0", null));

        var seen = (await machines.FindAsync(machine.Id, Tenants.Default))!;
        Assert.Equal(("2.0", "host", _time.GetUtcNow()), (seen.Version, seen.Hostname, seen.LastSeenAt!.Value));
    }
}
