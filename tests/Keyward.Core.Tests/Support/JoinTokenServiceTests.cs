using Keyward.Core.Credentials;
using Keyward.Core.Support;
using Keyward.Core.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Core.Tests.Support;

/// <summary>
/// <see cref="JoinTokenService"/>: a <c>kwj_</c> bound to support session, account and login session; single use under
/// concurrency; expired, consumed and revoked told apart; revoking a login session's tokens leaves others alone.
/// </summary>
public sealed class JoinTokenServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly Guid _support = Guid.NewGuid();
    private readonly Guid _account = Guid.NewGuid();
    private readonly Guid _login = Guid.NewGuid();
    private SessionDatabase _store = null!;

    public async Task InitializeAsync() => _store = await SessionDatabase.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private JoinTokenService Service() => new(_store.Database, _time);

    [Fact]
    public async Task MintAsync_ReturnsAKwjToken_StoringOnlyItsHash_AndRedeemReturnsItsBindings()
    {
        var tokens = Service();
        var (token, id, expiresAt) = await tokens.MintAsync(_support, _account, _login, Lifetime);

        Assert.True(SecretToken.IsWellFormed(CredentialKind.Join, token));
        await using (var db = _store.Database.CreateContext())
        {
            Assert.Equal(SecretToken.Hash(CredentialKind.Join, token), (await db.JoinTokens.SingleAsync()).TokenHash);
        }

        var redeemed = await tokens.RedeemAsync(token);
        Assert.Equal(new JoinToken(id, _support, _account, _login, expiresAt), redeemed.Token);
    }

    [Fact]
    public async Task RedeemAsync_Twice_SecondIsConsumed()
    {
        var tokens = Service();
        var (token, _, _) = await tokens.MintAsync(_support, _account, _login, Lifetime);

        Assert.True((await tokens.RedeemAsync(token)).Succeeded);
        Assert.Equal(JoinFailure.Consumed, (await tokens.RedeemAsync(token)).Failure);
    }

    [Fact]
    public async Task RedeemAsync_HundredConcurrentCallers_ExactlyOneWins()
    {
        var (token, _, _) = await Service().MintAsync(_support, _account, _login, Lifetime);

        using var start = new ManualResetEventSlim(false);
        var callers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await new JoinTokenService(_store.Reopen(), _time).RedeemAsync(token);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(callers);

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(JoinFailure.Consumed, r.Failure));
    }

    [Fact]
    public async Task RedeemAsync_AtExpiry_IsExpired()
    {
        var tokens = Service();
        var (token, _, _) = await tokens.MintAsync(_support, _account, _login, Lifetime);

        _time.Advance(Lifetime);

        Assert.Equal(JoinFailure.Expired, (await tokens.RedeemAsync(token)).Failure);
    }

    [Fact]
    public async Task RevokeForLoginSessionAsync_RevokesOnlyThatLoginSessionsLiveTokens()
    {
        var tokens = Service();
        var (mine, _, _) = await tokens.MintAsync(_support, _account, _login, Lifetime);
        var (alsoMine, _, _) = await tokens.MintAsync(Guid.NewGuid(), _account, _login, Lifetime);
        var (spent, _, _) = await tokens.MintAsync(_support, _account, _login, Lifetime);
        var (otherLogin, _, _) = await tokens.MintAsync(_support, _account, Guid.NewGuid(), Lifetime);
        Assert.True((await tokens.RedeemAsync(spent)).Succeeded);

        Assert.Equal(2, await tokens.RevokeForLoginSessionAsync(_login));

        Assert.Equal(JoinFailure.Revoked, (await tokens.RedeemAsync(mine)).Failure);
        Assert.Equal(JoinFailure.Revoked, (await tokens.RedeemAsync(alsoMine)).Failure);
        Assert.Equal(JoinFailure.Consumed, (await tokens.RedeemAsync(spent)).Failure);
        Assert.True((await tokens.RedeemAsync(otherLogin)).Succeeded);
    }

    [Fact]
    public async Task RevokeForSupportSessionAsync_RevokesItsTokens()
    {
        var tokens = Service();
        var (token, _, _) = await tokens.MintAsync(_support, _account, _login, Lifetime);

        Assert.Equal(1, await tokens.RevokeForSupportSessionAsync(_support));

        Assert.Equal(JoinFailure.Revoked, (await tokens.RedeemAsync(token)).Failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("kwj_garbage")]
    public async Task RedeemAsync_MalformedOrForgedOrOtherKind_IsInvalid(string? token)
    {
        var tokens = Service();

        Assert.Equal(JoinFailure.Invalid, (await tokens.RedeemAsync(token)).Failure);
        Assert.Equal(JoinFailure.Invalid, (await tokens.RedeemAsync(SecretToken.Generate(CredentialKind.Join))).Failure);
        Assert.Equal(JoinFailure.Invalid, (await tokens.RedeemAsync(SecretToken.Generate(CredentialKind.Session))).Failure);
    }

    [Fact]
    public void Codes_AreDistinctPerFailure()
    {
        var codes = Enum.GetValues<JoinFailure>().Select(JoinFailures.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }
}
