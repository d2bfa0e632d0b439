using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Keyward.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Keyward.Testing.Hosting;

/// <summary>
/// Counts the database commands each Keyward node runs through EF Core (every read and write Keyward makes through its
/// <see cref="KeywardDatabase"/>: SQLite or PostgreSQL), from EF Core's <see cref="DiagnosticListener"/>
/// (<c>CommandExecuting</c>). The listener is process-wide, so nodes in one process are told apart by their context
/// options (each node's <see cref="KeywardDatabase"/> builds its contexts from one options instance). Not counted: the
/// revocation listener's own Npgsql connection (<c>LISTEN</c>, its heartbeat), which is no request's work. No product
/// seam needed; for issue 13's "database commands per proxied request" (test and bench).
/// </summary>
/// <remarks>
/// <see cref="Start"/> it before the nodes start: EF Core caches, per context, whether anyone listens for up to its
/// logging cache time (1 s), so a counter subscribed later misses a context's commands for up to that long.
/// </remarks>
public sealed class DbCommandCounter : IDisposable, IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private static readonly string Executing = RelationalEventId.CommandExecuting.Name!;
    private static readonly AsyncLocal<DbCommandCounter?> Scoped = new();
    private readonly ConcurrentDictionary<IDbContextOptions, StrongBox<long>> _counts = new(ReferenceEqualityComparer.Instance);
    private readonly IDisposable _all;
    private readonly List<IDisposable> _subscriptions = [];
    private long _inScope;

    private DbCommandCounter() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>Starts counting, per node, every EF Core command run in this process from now on.</summary>
    public static DbCommandCounter Start() => new();

    /// <summary>Commands <paramref name="node"/> has run since this counter started, or since <see cref="Reset"/> for it.</summary>
    public long Count(KeywardTestHost node) => Interlocked.Read(ref Of(node).Value);

    /// <summary>Sets <paramref name="node"/>'s count back to 0 and returns what it was.</summary>
    public long Reset(KeywardTestHost node) => Interlocked.Exchange(ref Of(node).Value, 0);

    /// <summary>
    /// Commands run on the calling flow since <see cref="Scope"/> (any node): for a caller that drives Keyward's services
    /// directly in this process, the commands its own calls ran, apart from the nodes' background work.
    /// </summary>
    public long InScope => Interlocked.Read(ref _inScope);

    /// <summary>From here on (this synchronous flow and what it awaits), commands also count towards <see cref="InScope"/>, which starts at 0 again.</summary>
    public void Scope()
    {
        Interlocked.Exchange(ref _inScope, 0);
        Scoped.Value = this;
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    private StrongBox<long> Of(KeywardTestHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var context = node.GetRequiredService<KeywardDatabase>().CreateContext();
        return _counts.GetOrAdd(context.GetService<IDbContextOptions>(), _ => new StrongBox<long>());
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this, (name, _, _) => name == Executing));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == Executing && value.Value is CommandEventData { Context: { } context })
        {
            Interlocked.Increment(ref _counts.GetOrAdd(context.GetService<IDbContextOptions>(), _ => new StrongBox<long>()).Value);
            if (Scoped.Value == this)
            {
                Interlocked.Increment(ref _inScope);
            }
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }
}
