using System.Reflection;
using Keyward.Core.Cluster;
using Keyward.Core.Sessions;

namespace Keyward.Core.Tests.Sessions;

/// <summary>
/// Revocations heard from another node (the revocation bus): a notice is only a hint, so only what the database says is
/// revoked is applied; and a service built without a bus never ties itself to the shared always-on trust.
/// </summary>
public sealed partial class SessionServiceTests
{
    [Fact]
    public async Task ApplyEndedElsewhereAsync_LiveSession_IsIgnored_AndStaysValid()
    {
        var sessions = Service();
        var (token, opened) = await OpenAsync(sessions);
        Assert.True((await sessions.CheckAsync(token)).IsValid);
        var ended = new List<Guid>();
        sessions.Ended += ended.Add;

        var confirmed = await sessions.ApplyEndedElsewhereAsync([opened.Id, Guid.NewGuid()]);

        Assert.Equal(0, confirmed);
        Assert.Empty(ended);
        Assert.False(sessions.HasEndedOnThisNode(opened.Id));
        Assert.Equal(0, sessions.EndedMarkCount);
        Assert.True((await sessions.CheckAsync(token)).IsValid);
    }

    [Fact]
    public async Task ApplyEndedElsewhereAsync_RevokedOnAnotherNode_RefusesTheCachedTokenAtOnce_WithTheStoredReason()
    {
        var thisNode = Service();
        var otherNode = Service(_store.Reopen());
        var (token, opened) = await OpenAsync(thisNode);
        Assert.True((await thisNode.CheckAsync(token)).IsValid);
        Assert.True(await otherNode.EndAsync(opened.Id));
        var ended = new List<Guid>();
        thisNode.Ended += ended.Add;

        // The notice names "revoked", the row says logout: the row wins.
        var confirmed = await thisNode.ApplyEndedElsewhereAsync([opened.Id, opened.Id]);

        Assert.Equal(1, confirmed);
        Assert.Equal([opened.Id], ended);
        Assert.True(thisNode.HasEndedOnThisNode(opened.Id));
        Assert.Equal(SessionFailure.LoggedOut, (await thisNode.CheckAsync(token)).Failure);
    }

    [Fact]
    public void Constructor_WithoutABus_DoesNotSubscribeToTheSharedTrust()
    {
        var sessions = Service();

        // A subscription to the process-wide CacheTrust.Always would keep every such service (and its caches) alive.
        var field = typeof(CacheTrust).GetField(nameof(CacheTrust.Resuming), BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.NotNull(field);
        var handlers = ((Delegate?)field.GetValue(CacheTrust.Always))?.GetInvocationList() ?? [];
        Assert.DoesNotContain(handlers, h => ReferenceEquals(h.Target, sessions));
    }
}
