using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Keyward.Core.Tests.Storage;

/// <summary>
/// Counts every time a connection found SQLite's lock taken (SQLITE_BUSY), with a busy handler installed on each
/// connection as it opens (SQLitePCLRaw does not wrap <c>sqlite3_busy_handler</c>, so it is called in the bundled
/// e_sqlite3 directly). The handler answers "give up", which is what SQLite does without one, so behaviour is
/// unchanged: Microsoft.Data.Sqlite then sleeps 150 ms and retries. A count of 0 means no writer ever slept.
/// </summary>
internal sealed class BusyCounter : DbConnectionInterceptor, IDisposable
{
    private static readonly BusyHandler Handler = OnBusy;
    private static readonly IntPtr HandlerPointer = Marshal.GetFunctionPointerForDelegate(Handler);

    private readonly GCHandle _self;
    private int _count;

    public BusyCounter() => _self = GCHandle.Alloc(this);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BusyHandler(IntPtr state, int attempts);

    public int Count => Volatile.Read(ref _count);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Install(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Install(connection);
        return Task.CompletedTask;
    }

    public void Dispose() => _self.Free();

    private static int OnBusy(IntPtr state, int attempts)
    {
        var counter = (BusyCounter)GCHandle.FromIntPtr(state).Target!;
        Interlocked.Increment(ref counter._count);
        return 0;
    }

    private void Install(DbConnection connection)
    {
        var rc = NativeMethods.sqlite3_busy_handler(((SqliteConnection)connection).Handle!.DangerousGetHandle(), HandlerPointer, GCHandle.ToIntPtr(_self));
        if (rc != 0)
        {
            throw new InvalidOperationException($"sqlite3_busy_handler returned {rc}.");
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054, CA5392, CA2101 // Test-only call into the bundled SQLite, which the provider has already loaded.
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_busy_handler(IntPtr db, IntPtr handler, IntPtr state);
#pragma warning restore SYSLIB1054, CA5392, CA2101
    }
}
