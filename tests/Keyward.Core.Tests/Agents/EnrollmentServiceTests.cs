using Keyward.Core.Agents;
using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Keyward.Core.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Agents;

/// <summary>
/// <see cref="EnrollmentService"/> on a real SQLite file with a fake clock: what a token is bound to, single use under
/// real concurrency, expiry, revocation, and refusal of malformed and foreign tokens.
/// </summary>
public sealed class EnrollmentServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private SessionDatabase _store = null!;

    public async Task InitializeAsync() => _store = await SessionDatabase.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private EnrollmentService Service() => new(_store.Database, _time);

    private Task<(string Token, EnrollTokenInfo Info)> CreateAsync(string policy = AgentPolicies.Attended) =>
        Service().CreateAsync("build box", policy, Joiners.AdminsOnly, Lifetime, Guid.NewGuid(), Tenants.Default, Guid.NewGuid());

    [Fact]
    public async Task CreateAsync_ReturnsAKweTokenOnce_StoringOnlyItsHash()
    {
        var (token, info) = await CreateAsync();

        Assert.True(SecretToken.IsWellFormed(CredentialKind.Enroll, token));
        Assert.Equal(_time.GetUtcNow() + Lifetime, info.ExpiresAt);
        await using var db = _store.Database.CreateContext();
        var row = await db.EnrollTokens.SingleAsync();
        Assert.Equal(SecretToken.Hash(CredentialKind.Enroll, token), row.TokenHash);
        Assert.Equal(1, row.UsesLeft);
        Assert.Equal(Tenants.Default, row.TenantId);
        Assert.Equal("admin", row.JoinRoles);
    }

    [Fact]
    public async Task EnrollAsync_FreshToken_MakesAMachineWithTheTokensBindingsAndAKeyThatAuthenticates()
    {
        var account = Guid.NewGuid();
        var (token, _) = await Service().CreateAsync("kiosk 7", AgentPolicies.Unattended, new Joiners([account], ["user"]), Lifetime, null, Tenants.Default, Guid.NewGuid());

        var enrollment = await Service().EnrollAsync(token, "kiosk7.example", "1.0.0");

        Assert.True(enrollment.Succeeded);
        var machine = enrollment.Machine!;
        Assert.Equal(("kiosk 7", AgentPolicies.Unattended, "kiosk7.example", "1.0.0"), (machine.Label, machine.Policy, machine.Hostname, machine.Version));
        Assert.Equal([account], machine.Joiners.Accounts);
        Assert.Equal(["user"], machine.Joiners.Roles);
        Assert.True(SecretToken.IsWellFormed(CredentialKind.Agent, enrollment.AgentKey));
        var check = await new MachineService(_store.Database, _time).AuthenticateAsync(enrollment.AgentKey);
        Assert.Equal(machine.Id, check.Machine?.Id);
        await using var db = _store.Database.CreateContext();
        Assert.Equal(machine.Id, (await db.EnrollTokens.SingleAsync()).MachineId);
        Assert.DoesNotContain(enrollment.AgentKey!, enrollment.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnrollAsync_TwentyAtOnce_ExactlyOneMachine()
    {
        var (token, _) = await CreateAsync();
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await Service().EnrollAsync(token, null, null);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(EnrollFailure.Consumed, r.Failure));
        await using var db = _store.Database.CreateContext();
        Assert.Equal(1, await db.Machines.CountAsync());
    }

    [Fact]
    public async Task EnrollAsync_Again_IsConsumed()
    {
        var (token, _) = await CreateAsync();
        Assert.True((await Service().EnrollAsync(token, null, null)).Succeeded);

        var again = await Service().EnrollAsync(token, null, null);

        Assert.Equal(EnrollFailure.Consumed, again.Failure);
        Assert.Null(again.AgentKey);
    }

    [Fact]
    public async Task EnrollAsync_AtItsExpiry_IsExpiredAndMakesNoMachine()
    {
        var (token, _) = await CreateAsync();
        _time.Advance(Lifetime - TimeSpan.FromMilliseconds(1));
        var (other, _) = await CreateAsync();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(EnrollFailure.Expired, (await Service().EnrollAsync(token, null, null)).Failure);
        Assert.True((await Service().EnrollAsync(other, null, null)).Succeeded);
        await using var db = _store.Database.CreateContext();
        Assert.Equal(1, await db.Machines.CountAsync());
    }

    [Fact]
    public async Task EnrollAsync_RevokedToken_IsRevoked()
    {
        var (token, info) = await CreateAsync();

        Assert.True(await Service().RevokeAsync(info.Id, Tenants.Default));

        Assert.Equal(EnrollFailure.Revoked, (await Service().EnrollAsync(token, null, null)).Failure);
        Assert.False(await Service().RevokeAsync(info.Id, Tenants.Default));
    }

    [Fact]
    public async Task RevokeAsync_OfAnotherTenant_RevokesNothing()
    {
        var (token, info) = await CreateAsync();

        Assert.False(await Service().RevokeAsync(info.Id, "other"));

        Assert.True((await Service().EnrollAsync(token, null, null)).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kwe_not-a-token")]
    public async Task EnrollAsync_Malformed_IsInvalid(string? token)
    {
        Assert.Equal(EnrollFailure.Invalid, (await Service().EnrollAsync(token, null, null)).Failure);
    }

    [Fact]
    public async Task EnrollAsync_OtherKindsAndUnknownTokens_AreInvalid()
    {
        var (token, _) = await CreateAsync();
        var sameBodyOtherKind = SecretToken.Prefix(CredentialKind.Agent) + token[4..];

        Assert.Equal(EnrollFailure.Invalid, (await Service().EnrollAsync(SecretToken.Generate(CredentialKind.Enroll), null, null)).Failure);
        Assert.Equal(EnrollFailure.Invalid, (await Service().EnrollAsync(SecretToken.Generate(CredentialKind.Session), null, null)).Failure);
        Assert.Equal(EnrollFailure.Invalid, (await Service().EnrollAsync(sameBodyOtherKind, null, null)).Failure);
        Assert.True((await Service().EnrollAsync(token, null, null)).Succeeded);
    }

    [Fact]
    public async Task EnrollAsync_OverlongReports_AreCutNotRefused()
    {
        var (token, _) = await CreateAsync();

        var enrollment = await Service().EnrollAsync(token, new string('h', 1000), new string('v', 1000));

        Assert.Equal((253, 64), (enrollment.Machine!.Hostname!.Length, enrollment.Machine.Version!.Length));
    }
}
