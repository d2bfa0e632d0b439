using Keyward.Core.Audit;

namespace Keyward.Server.Audit;

/// <summary>
/// The latest signed tree head for the anonymous <c>/.well-known/keyward/sth</c>, read from the database at most once a
/// second per node (one read at a time; concurrent requests share it), so a flood of anonymous requests costs the
/// database one query a second. Heads are signed every <c>Keyward:Audit:TreeHeadInterval</c>, so a second's delay
/// hides nothing.
/// </summary>
internal sealed class PublicTreeHead(AuditTreeHeads heads, TimeProvider time) : IDisposable
{
    /// <summary>How long a read head is answered again.</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _one = new(1, 1);
    private volatile Cached? _last;

    /// <summary>The latest signed head, at most <see cref="Reuse"/> old; null while none is signed.</summary>
    public async Task<SignedTreeHead?> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } hit)
        {
            return hit;
        }

        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            var head = await heads.GetLatestAsync(cancellationToken).ConfigureAwait(false);
            _last = head is null ? null : new Cached(time.GetUtcNow(), head);
            return head;
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();

    private SignedTreeHead? Fresh() =>
        _last is { } last && time.GetUtcNow() - last.At < Reuse ? last.Head : null;

    private sealed record Cached(DateTimeOffset At, SignedTreeHead Head);
}
