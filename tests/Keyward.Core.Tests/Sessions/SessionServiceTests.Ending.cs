using Keyward.Core.Credentials;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;

namespace Keyward.Core.Tests.Sessions;

/// <summary>Logout, revocation, revoke-all and key removal: each refuses the token at once with its own failure, and raises <see cref="SessionService.Ended"/>.</summary>
public sealed partial class SessionServiceTests
{
    [Fact]
    public async Task EndAsync_LiveCachedToken_RefusesItAtOnceAsLoggedOut()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        Assert.True((await sessions.CheckAsync(token)).IsValid);

        Assert.True(await sessions.EndAsync(token));
        var check = await sessions.CheckAsync(token);

        Assert.False(check.IsValid);
        Assert.Equal(SessionFailure.LoggedOut, check.Failure);
        Assert.Equal("session_logged_out", SessionFailures.Code(SessionFailure.LoggedOut));
    }

    [Fact]
    public async Task EndAsync_AlreadyLoggedOut_ReturnsFalse()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        Assert.True(await sessions.EndAsync(token));

        Assert.False(await sessions.EndAsync(token));
    }

    [Fact]
    public async Task CheckAsync_LoggedOutThenRestarted_StillRefusedAsLoggedOut()
    {
        var sessions = Service();
        var (token, _) = await OpenAsync(sessions);
        Assert.True(await sessions.EndAsync(token));

        var restarted = Service(_store.Reopen());

        Assert.Equal(SessionFailure.LoggedOut, (await restarted.CheckAsync(token)).Failure);
    }

    [Fact]
    public async Task RevokeAsync_OwnSession_RefusesItAtOnceAsRevoked()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        Assert.True((await sessions.CheckAsync(token)).IsValid);

        Assert.True(await sessions.RevokeAsync(_alice.Id, opened.Id));

        Assert.Equal(SessionFailure.Revoked, (await sessions.CheckAsync(token)).Failure);
        Assert.Equal("session_revoked", SessionFailures.Code(SessionFailure.Revoked));
    }

    [Fact]
    public async Task RevokeAsync_AnotherAccountsSession_ReturnsFalseAndTheSessionStaysValid()
    {
        var sessions = Service();
        var bob = await _store.AddAccountAsync("bob");
        var (bobToken, bobSession) = await OpenAsync(sessions, bob);

        Assert.False(await sessions.RevokeAsync(_alice.Id, bobSession.Id));

        Assert.True((await sessions.CheckAsync(bobToken)).IsValid);
        Assert.Null((await _store.SessionRowAsync(bobSession.Id)).RevokedAt);
    }

    [Fact]
    public async Task RevokeAllAsync_AccountWithTwoSessions_RefusesBothAsRevokedAndSparesOtherAccounts()
    {
        var sessions = Service();
        var bob = await _store.AddAccountAsync("bob");
        var (first, _) = await OpenAsync(sessions);
        var (second, _) = await OpenAsync(sessions);
        var (bobToken, _) = await OpenAsync(sessions, bob);

        Assert.Equal(2, await sessions.RevokeAllAsync(_alice.Id));

        Assert.Equal(SessionFailure.Revoked, (await sessions.CheckAsync(first)).Failure);
        Assert.Equal(SessionFailure.Revoked, (await sessions.CheckAsync(second)).Failure);
        Assert.True((await sessions.CheckAsync(bobToken)).IsValid);
    }

    [Fact]
    public async Task RevokeForAuthenticatorAsync_RemovedKey_RefusesItsSessionsAsAuthenticatorRemovedAndSparesTheOtherKeys()
    {
        var sessions = Service();
        var removedKey = Guid.NewGuid();
        var (opened, _) = await OpenAsync(sessions, authenticatorId: removedKey);
        var (openedWithOtherKey, _) = await OpenAsync(sessions);

        Assert.Equal(1, await sessions.RevokeForAuthenticatorAsync(removedKey));

        Assert.Equal(SessionFailure.AuthenticatorRemoved, (await sessions.CheckAsync(opened)).Failure);
        Assert.Equal("session_authenticator_removed", SessionFailures.Code(SessionFailure.AuthenticatorRemoved));
        Assert.True((await sessions.CheckAsync(openedWithOtherKey)).IsValid);
    }

    [Fact]
    public async Task Ended_Logout_RaisedOnceWithTheSessionId()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        var ended = new List<Guid>();
        sessions.Ended += ended.Add;

        await sessions.EndAsync(token);
        await sessions.EndAsync(token);

        Assert.Equal([opened.Id], ended);
        Assert.True(sessions.HasEndedOnThisNode(opened.Id));
    }

    [Fact]
    public async Task Ended_RevokeAll_RaisedForEverySessionItEnded()
    {
        var sessions = Service();
        var (_, first) = await OpenAsync(sessions);
        var (_, second) = await OpenAsync(sessions);
        var (loggedOutToken, loggedOut) = await OpenAsync(sessions);
        await sessions.EndAsync(loggedOutToken);
        var ended = new List<Guid>();
        sessions.Ended += ended.Add;

        await sessions.RevokeAllAsync(_alice.Id);

        Assert.Equal(new[] { first.Id, second.Id }.Order(), ended.Order());
        Assert.DoesNotContain(loggedOut.Id, ended);
    }

    [Fact]
    public async Task Ended_RevokeForAuthenticatorThatOpenedNothing_NotRaised()
    {
        var sessions = Service();
        await OpenAsync(sessions);
        var ended = new List<Guid>();
        sessions.Ended += ended.Add;

        Assert.Equal(0, await sessions.RevokeForAuthenticatorAsync(Guid.NewGuid()));

        Assert.Empty(ended);
    }

    [Fact]
    public async Task CheckAsync_CredentialOfAnotherKind_ReturnsInvalid()
    {
        var sessions = Service();
        await OpenAsync(sessions);

        var check = await sessions.CheckAsync(SecretToken.Generate(CredentialKind.WebSocketTicket));

        Assert.Equal(SessionFailure.Invalid, check.Failure);
    }

    [Fact]
    public async Task CheckAsync_TokenStoredUnderAnotherKindsHash_ReturnsInvalid()
    {
        // A kws_ token whose row holds the hash it would have as a join token: the session lookup hashes with the
        // session kind, so it finds nothing. Were the kind left out of the hash, this would be a valid session.
        var token = SecretToken.Generate(CredentialKind.Session);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using (var db = _store.Database.CreateContext())
        {
            db.Sessions.Add(new SessionEntity
            {
                Id = Guid.NewGuid(),
                TenantId = Tenants.Default,
                TokenHash = SecretToken.Hash(CredentialKind.Join, token),
                AccountId = _alice.Id,
                AuthenticatorId = Guid.NewGuid(),
                CreatedAt = now,
                ExpiresAt = now + (long)Options.AbsoluteLifetime.TotalMilliseconds,
                LastSeenAt = now,
            });
            await db.SaveChangesAsync();
        }

        var check = await Service().CheckAsync(token);

        Assert.Equal(SessionFailure.Invalid, check.Failure);
    }
}
