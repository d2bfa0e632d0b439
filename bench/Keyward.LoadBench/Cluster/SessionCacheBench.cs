using System.Diagnostics;
using System.Globalization;
using Keyward.Core.Sessions;
using Keyward.Core.Storage;
using Keyward.LoadBench.Hosting;
using Keyward.Testing.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Keyward.LoadBench.Cluster;

/// <summary>
/// <c>--mode session-cache</c> (issue 13, "Speed"): one Keyward node (SQLite on tmpfs, in this process) whose session
/// cache holds 1,000 live sessions, then N (default 1,000,000). At each size: the managed heap each cached session
/// costs (the live heap after a full, compacting collection, before and after opening them, divided by how many) and
/// the hot-path check (<see cref="SessionService.CheckAsync"/>, a cache hit) per call, for one token over and over and
/// for tokens drawn at random from the whole cache. The clock is frozen, so no entry falls due for revalidation or a
/// last-seen write while it is measured; the database commands during the checks are counted and must be 0.
/// Sessions are opened with <see cref="SessionService.CreateAsync"/> (one INSERT each, and the entry a sign-in leaves
/// in the cache): the sign-in ceremony itself is not what is measured here.
/// </summary>
internal static class SessionCacheBench
{
    private const int Small = 1_000;
    private const int Rounds = 5;
    private const int CallsPerRound = 1_000_000;
    private const int RandomSample = 200_000;

    public static async Task<int> RunAsync(int total, CancellationToken cancellationToken)
    {
        var log = Console.Error;
        var directory = System.IO.Path.Combine(TestBed.Root, "keyward-session-cache-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            // Started before the node: EF Core caches for up to 1 s per context whether anyone listens (see DbCommandCounter).
            using var counter = DbCommandCounter.Start();
            await using var host = await KeywardTestHost.StartAsync(
                new KeywardTestHostOptions { DataDirectory = directory, Time = new FrozenTime(DateTimeOffset.UtcNow) }, cancellationToken);
            using var client = host.CreateClient();
            await client.RegisterAdminAsync(host.SetupCode!);
            var login = await client.LoginAsync();
            var sessions = host.GetRequiredService<SessionService>();
            var signedIn = (await sessions.CheckAsync(login.Token, cancellationToken)).Session ?? throw new InvalidOperationException("The signed-in session does not check.");
            AccountEntity account;
            await using (var db = host.GetRequiredService<KeywardDatabase>().CreateContext())
            {
                account = await db.Accounts.IgnoreQueryFilters().AsNoTracking().SingleAsync(a => a.Id == signedIn.AccountId, cancellationToken);
            }

            // The tokens are kept in one buffer allocated before the first measurement, so they are not counted as the cache's.
            var length = login.Token.Length;
            var buffer = new char[(long)total * length];
            var opened = 0;
            async Task OpenAsync(int until)
            {
                for (; opened < until; opened++)
                {
                    var (token, _, _) = await sessions.CreateAsync(account, signedIn.AuthenticatorId, userVerified: true, "127.0.0.1", cancellationToken: cancellationToken);
                    if (token.Length != length)
                    {
                        throw new InvalidOperationException("Session tokens differ in length.");
                    }

                    token.CopyTo(buffer.AsSpan(opened * length, length));
                }
            }

            // Warm the create path (JIT, pooled contexts) on sessions that are not measured: they stay in the cache,
            // so both sizes include them (64 entries: noise against 1,000).
            var warm = new List<string>();
            for (var i = 0; i < 64; i++)
            {
                warm.Add((await sessions.CreateAsync(account, signedIn.AuthenticatorId, true, "127.0.0.1", cancellationToken: cancellationToken)).Token);
            }

            var results = new List<Stage>();
            var failures = new List<string>();
            var heapStart = LiveHeap();
            var workingSetStart = Environment.WorkingSet;
            var filling = Stopwatch.GetTimestamp();
            await OpenAsync(Small);
            var fillSmall = Stopwatch.GetElapsedTime(filling);
            var heapSmall = LiveHeap();
            results.Add(Measure(sessions, counter, host, buffer, length, Small, (heapSmall - heapStart) / (double)Small, Environment.WorkingSet - workingSetStart, fillSmall, failures, log));

            log.WriteLine($"session-cache: opening {total - Small:N0} more sessions (one INSERT each) ...");
            filling = Stopwatch.GetTimestamp();
            var step = Math.Max(1, (total - Small) / 10);
            while (opened < total)
            {
                await OpenAsync(Math.Min(total, opened + step));
                log.WriteLine($"  {opened:N0} ({Stopwatch.GetElapsedTime(filling).TotalSeconds:0} s)");
            }

            var fillLarge = Stopwatch.GetElapsedTime(filling);
            var heapLarge = LiveHeap();
            results.Add(Measure(sessions, counter, host, buffer, length, total, (heapLarge - heapStart) / (double)total, Environment.WorkingSet - workingSetStart, fillLarge, failures, log));
            var marginal = (heapLarge - heapSmall) / (double)(total - Small);
            Report(results, marginal, total, failures);
            GC.KeepAlive(warm);
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Stage Measure(SessionService sessions, DbCommandCounter counter, KeywardTestHost host, char[] buffer, int length, int size, double bytesPerSession, long workingSet, TimeSpan fill, List<string> failures, TextWriter log)
    {
        log.WriteLine($"session-cache: timing checks with {size:N0} sessions cached ...");
        var random = new Random(13);
        var sample = new string[Math.Min(size, RandomSample)];
        for (var i = 0; i < sample.Length; i++)
        {
            var pick = size <= RandomSample ? i : random.Next(size);
            sample[i] = new string(buffer.AsSpan((int)((long)pick * length), length));
        }

        random.Shuffle(sample);
        string[] hot = [sample[0]];
        counter.Reset(host);
        counter.Scope();
        var hotNs = new List<double>();
        var randomNs = new List<double>();
        var cpuNs = new List<double>();
        for (var round = 0; round < Rounds + 1; round++)
        {
            // Round 0 warms up (JIT, tiering) and is discarded.
            var h = Time(sessions, hot, failures);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var r = Time(sessions, sample, failures);
            var cpuPerCheck = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / CallsPerRound;
            if (round > 0)
            {
                hotNs.Add(h);
                randomNs.Add(r);
                cpuNs.Add(cpuPerCheck);
            }
        }

        // The checks' own commands (this flow), apart from the node's background work meanwhile (its sweeps, on timers).
        var commands = counter.InScope;
        var background = counter.Reset(host) - commands;
        if (commands != 0)
        {
            failures.Add($"{commands} database commands ran for {2 * (Rounds + 1) * CallsPerRound:N0} cached checks at {size:N0} sessions (expected 0)");
        }

        return new Stage(size, bytesPerSession, workingSet, fill, Median(hotNs), Median(randomNs), randomNs.Min(), randomNs.Max(), Median(cpuNs), commands, background);
    }

    private static double Time(SessionService sessions, string[] tokens, List<string> failures)
    {
        var invalid = 0;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < CallsPerRound; i++)
        {
            var pending = sessions.CheckAsync(tokens[i % tokens.Length]);
            var check = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            if (!check.IsValid)
            {
                invalid++;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (invalid > 0)
        {
            failures.Add($"{invalid} of {CallsPerRound:N0} checks of live sessions failed");
        }

        return elapsed.TotalNanoseconds / CallsPerRound;
    }

    private static long LiveHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static void Report(List<Stage> stages, double marginal, int total, List<string> failures)
    {
        var o = Console.Out;
        o.WriteLine("# Keyward: sessions in one node's cache (issue 13, \"Speed\")");
        o.WriteLine();
        o.WriteLine($"One node, SQLite on tmpfs, frozen clock; {Rounds} rounds of {CallsPerRound:N0} checks per figure (median); load average at the end: {ClusterModes.LoadAverage()} on {Environment.ProcessorCount} cores; {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC.");
        o.WriteLine();
        o.WriteLine("| sessions cached | managed heap per session (B) | working set growth (MB) | opening them (sessions/s) | check, one token (ns) | check, random token (ns, median [min–max]) | process CPU per random-token check (ns) | database commands by the checks (by the node's background work meanwhile) |");
        o.WriteLine("|---|---|---|---|---|---|---|---|");
        var previous = 0;
        foreach (var s in stages)
        {
            var opened = s.Size - previous;
            o.WriteLine($"| {s.Size:N0} | {F(s.BytesPerSession, "0")} | {F(s.WorkingSet / 1048576.0, "0.0")} | {F(opened / s.Fill.TotalSeconds, "0")} | {F(s.HotNs, "0")} | {F(s.RandomNs, "0")} [{F(s.RandomMin, "0")}–{F(s.RandomMax, "0")}] | {F(s.RandomCpuNs, "0")} | {s.Commands} ({s.Background}) |");
            previous = s.Size;
        }

        o.WriteLine();
        o.WriteLine($"Managed heap per session between {Small:N0} and {total:N0} (the marginal cost): {F(marginal, "0")} B. The cache is unbounded by design (no eviction, no size limit): every live session stays until it ends or expires, so no fallback reads happen at this size. Working set includes SQLite's native page cache and the runtime's heap slack, so it is an upper bound.");
        o.WriteLine();
        var last = stages[^1];
        o.WriteLine($"Random-token check at {total:N0} / at {Small:N0}: {F(last.RandomNs / stages[0].RandomNs, "0.00")}×.");
        if (failures.Count > 0)
        {
            o.WriteLine();
            o.WriteLine($"## FAILED ({failures.Count})");
            failures.Take(20).ToList().ForEach(f => o.WriteLine("- " + f));
        }
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private sealed record Stage(int Size, double BytesPerSession, long WorkingSet, TimeSpan Fill, double HotNs, double RandomNs, double RandomMin, double RandomMax, double RandomCpuNs, long Commands, long Background);

    /// <summary>A clock that stands still, so no cached entry falls due while it is measured.</summary>
    private sealed class FrozenTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
