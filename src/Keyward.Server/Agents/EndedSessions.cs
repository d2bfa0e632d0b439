namespace Keyward.Server.Agents;

/// <summary>
/// A bounded set of support session ids one link remembers: those it has told its agent <c>end</c> for (so each is told
/// once), those it has named to its agent (the only ones the agent may end), and those the agent has ended. A session that ended stays
/// ended (its id is never reused), so remembering the id is enough. Bounded: a machine's link may live for months and
/// serve many sessions; past <see cref="Capacity"/> the oldest ids are forgotten, and a late second end for one of
/// those would reach the agent again, which it ignores (no stream or prompt of that session is left).
/// </summary>
internal sealed class EndedSessions
{
    /// <summary>The most session ids remembered per link.</summary>
    public const int Capacity = 256;

    private readonly Lock _lock = new();
    private readonly HashSet<Guid> _ids = [];
    private readonly Queue<Guid> _order = new();

    /// <summary>True the first time <paramref name="supportSessionId"/> is added (the caller sends <c>end</c>), false after.</summary>
    public bool TryAdd(Guid supportSessionId)
    {
        lock (_lock)
        {
            if (!_ids.Add(supportSessionId))
            {
                return false;
            }

            _order.Enqueue(supportSessionId);
            if (_order.Count > Capacity)
            {
                _ids.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    /// <summary>True while <paramref name="supportSessionId"/> is remembered.</summary>
    public bool Contains(Guid supportSessionId)
    {
        lock (_lock)
        {
            return _ids.Contains(supportSessionId);
        }
    }

    /// <summary>How many ids are remembered now (for the bound's test).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }
}
