using Keyward.Core.Credentials;
using Keyward.Core.Storage;
using Keyward.Core.Support;
using Keyward.Core.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Support;

/// <summary>
/// <see cref="SupportCodeService"/> on a real SQLite file with a fake clock: the code is shown once and stored as its
/// hash, consumed by exactly one of 100 concurrent callers, and refused when expired, consumed or never issued.
/// </summary>
public sealed class SupportCodeServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly Guid _session = Guid.NewGuid();
    private readonly Guid _account = Guid.NewGuid();
    private SessionDatabase _store = null!;

    public async Task InitializeAsync() => _store = await SessionDatabase.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private SupportCodeService Service() => new(_store.Database, _time);

    [Fact]
    public async Task IssueAsync_ReturnsAHumanCodeOnce_StoringOnlyItsHash()
    {
        var (code, expiresAt) = await Service().IssueAsync(_session, _account, Lifetime);

        Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code);
        Assert.Equal(_time.GetUtcNow() + Lifetime, expiresAt);
        await using var db = _store.Database.CreateContext();
        var row = await db.SupportCodes.SingleAsync();
        Assert.Equal(HumanCode.Hash(SupportCodeService.Purpose, HumanCode.Normalize(code)!), row.CodeHash);
        Assert.Equal((1, _session, Tenants.Default), (row.UsesLeft, row.SupportSessionId, row.TenantId));
    }

    [Fact]
    public async Task ConsumeAsync_FreshCode_TypedLoosely_ReturnsItsSession_ThenConsumed()
    {
        var codes = Service();
        var (code, _) = await codes.IssueAsync(_session, _account, Lifetime);

        var first = await codes.ConsumeAsync(code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        var second = await codes.ConsumeAsync(code);

        Assert.Equal((_session, _account), (first.SupportSessionId, first.AccountId));
        Assert.False(second.Succeeded);
        Assert.Equal(SupportCodeFailure.Consumed, second.Failure);
    }

    [Fact]
    public async Task ConsumeAsync_HundredConcurrentCallers_ExactlyOneWins()
    {
        var (code, _) = await Service().IssueAsync(_session, _account, Lifetime);

        // Each caller has its own service and connection, as agents on different requests (or nodes) would.
        using var start = new ManualResetEventSlim(false);
        var callers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await new SupportCodeService(_store.Reopen(), _time).ConsumeAsync(code);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(callers);

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(SupportCodeFailure.Consumed, r.Failure));
        await using var db = _store.Database.CreateContext();
        Assert.Equal(0, (await db.SupportCodes.SingleAsync()).UsesLeft);
    }

    [Fact]
    public async Task ConsumeAsync_AtItsExpiry_IsRefusedExpired_AMillisecondBeforeItWorks()
    {
        var codes = Service();
        var (early, _) = await codes.IssueAsync(_session, _account, Lifetime);
        var (late, _) = await codes.IssueAsync(_session, _account, Lifetime);

        _time.Advance(Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.True((await codes.ConsumeAsync(early)).Succeeded);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var expired = await codes.ConsumeAsync(late);

        Assert.Equal(SupportCodeFailure.Expired, expired.Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a code")]
    [InlineData("ABCD-EFGH-JKM")]
    [InlineData("ABCD-EFGH-JKMNP")]
    public async Task ConsumeAsync_MalformedOrUnknown_IsInvalid_AndTouchesNoRealCode(string? guess)
    {
        var codes = Service();
        var (code, _) = await codes.IssueAsync(_session, _account, Lifetime);

        Assert.Equal(SupportCodeFailure.Invalid, (await codes.ConsumeAsync(guess)).Failure);
        Assert.Equal(SupportCodeFailure.Invalid, (await codes.ConsumeAsync(HumanCode.Generate())).Failure);

        // No lockout: the wrong guesses did not touch the real code.
        Assert.True((await codes.ConsumeAsync(code)).Succeeded);
    }

    [Fact]
    public async Task RevokeForSessionAsync_SpendsItsUnusedCodes()
    {
        var codes = Service();
        var (code, _) = await codes.IssueAsync(_session, _account, Lifetime);
        var (other, _) = await codes.IssueAsync(Guid.NewGuid(), _account, Lifetime);

        Assert.Equal(1, await codes.RevokeForSessionAsync(_session));

        Assert.Equal(SupportCodeFailure.Consumed, (await codes.ConsumeAsync(code)).Failure);
        Assert.True((await codes.ConsumeAsync(other)).Succeeded);
    }

    [Fact]
    public async Task PurgeAsync_KeepsRowsForTheRetention_ThenDeletesThem()
    {
        var codes = Service();
        await codes.IssueAsync(_session, _account, Lifetime);

        _time.Advance(Lifetime + SupportCodeService.Retention);
        Assert.Equal(0, await codes.PurgeAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await codes.PurgeAsync());
    }
}
