using System.Collections.Concurrent;
using System.Net;
using Keyward.Core.Audit;
using Keyward.Server.Audit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Keyward.Server.Tests.Audit;

/// <summary>
/// Review finding 4 (issue 11): a refusal of something Keyward knows, repeated, is one event and then at most one
/// count per key and interval; keys are per credential (or limit) and address group; memory is bounded.
/// </summary>
public sealed class RepeatedRefusalsTests
{
    private static readonly IPAddress Address = IPAddress.Parse("198.51.100.4");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingLog _log = new();

    private RepeatedRefusals Create(int maxKeys = 10_000, TimeSpan? interval = null) => new(
        _log,
        Options.Create(new AuditOptions { RepeatedRefusalsMaxKeys = maxKeys, UnauthenticatedInterval = interval ?? TimeSpan.FromMinutes(1) }),
        _time,
        NullLogger<RepeatedRefusals>.Instance);

    private static AuditRecord Refused(string target, string code = "agent_key_revoked") => new()
    {
        Actor = "anonymous",
        Action = "agent.key_refused",
        Target = target,
        Outcome = AuditOutcomes.Denied,
        ClientAddress = Address.ToString(),
        Details = new Dictionary<string, string> { ["code"] = code, ["presented"] = "kwa_" },
    };

    [Fact]
    public async Task RecordAsync_SameCredentialManyTimes_IsTheFirstEventThenOneCountPerInterval()
    {
        using var repeats = Create();
        for (var i = 0; i < 50; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));
        }

        var first = Assert.Single(_log.Records);
        Assert.False(first.Details.ContainsKey("count"));

        await repeats.FlushAsync();
        var counted = _log.Records[1];
        Assert.Equal(("m1", "49", "agent_key_revoked", "kwa_"), (counted.Target, counted.Details["count"], counted.Details["code"], counted.Details["presented"]));
        Assert.Equal(("2026-12-07T09:00:02.0000000+00:00", "2026-12-07T09:00:50.0000000+00:00"), (counted.Details["first"], counted.Details["last"]));

        // Still going in the next interval: counted, not written one by one.
        for (var i = 0; i < 10; i++)
        {
            await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));
        }

        Assert.Equal(2, _log.Records.Count);
        await repeats.FlushAsync();
        Assert.Equal("10", _log.Records[2].Details["count"]);

        // A quiet interval writes nothing and forgets the key: the next refusal is an event of its own again.
        await repeats.FlushAsync();
        Assert.Equal(3, _log.Records.Count);
        Assert.Equal(0, repeats.TrackedKeys);
        await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));
        Assert.False(_log.Records[3].Details.ContainsKey("count"));
    }

    [Fact]
    public async Task RecordAsync_DifferentCredentialsCodesOrAddressGroups_AreNotMerged()
    {
        using var repeats = Create();
        foreach (var (subject, address, target) in new[]
        {
            ("kwa_one", Address, "m1"),
            ("kwa_two", Address, "m2"),
            ("kwa_one", IPAddress.Parse("198.51.100.5"), "m1"),
            ("kwa_one", IPAddress.Parse("2001:db8:1:2::1"), "m1"),
        })
        {
            for (var i = 0; i < 3; i++)
            {
                await repeats.RecordAsync(subject, address, Refused(target));
            }
        }

        // The same /64 is one group.
        await repeats.RecordAsync("kwa_one", IPAddress.Parse("2001:db8:1:2::ffff"), Refused("m1"));

        Assert.Equal(4, _log.Records.Count);
        await repeats.FlushAsync();
        Assert.Equal(["2", "2", "2", "3"], _log.Records.Skip(4).Select(r => r.Details["count"]).Order().ToArray());
    }

    [Fact]
    public async Task RecordAsync_PastTheKeyLimit_CountsTheRestInOneOverflowEventPerAction()
    {
        using var repeats = Create(maxKeys: 3);
        for (var i = 0; i < 10; i++)
        {
            await repeats.RecordAsync($"kwj_token{i}", Address, Refused($"s{i}", "join_token_consumed") with { Action = "join.refused" });
        }

        Assert.Equal(3, repeats.TrackedKeys);
        Assert.Equal(3, _log.Records.Count);
        await repeats.FlushAsync();

        var overflow = Assert.Single(_log.Records.Skip(3));
        Assert.Equal(("join.refused", RepeatedRefusals.OverflowTarget, null, "7"), (overflow.Action, overflow.Target, overflow.ClientAddress, overflow.Details["count"]));
        Assert.Equal(0, repeats.TrackedKeys);
    }

    [Fact]
    public async Task RecordAsync_FirstWriteFails_ThrowsAndTheNextRefusalIsWrittenNotCounted()
    {
        using var repeats = Create();
        _log.Failing = true;
        await Assert.ThrowsAsync<AuditUnavailableException>(() => repeats.RecordAsync("kwa_revoked", Address, Refused("m1")));
        _log.Failing = false;

        await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));

        Assert.Single(_log.Records);
    }

    [Fact]
    public async Task FlushAsync_AuditDown_KeepsTheCountForTheNextInterval()
    {
        using var repeats = Create();
        for (var i = 0; i < 4; i++)
        {
            await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));
        }

        _log.Failing = true;
        await repeats.FlushAsync();
        await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));
        _log.Failing = false;
        await repeats.FlushAsync();

        Assert.Equal("4", Assert.Single(_log.Records.Skip(1)).Details["count"]);
    }

    [Fact]
    public async Task Keys_HoldNoCredential_AndEventsNeverNameIt()
    {
        using var repeats = Create();
        const string Secret = "kwa_SECRETsecret0123456789abcdefABCDEFghij";
        await repeats.RecordAsync(Secret, Address, Refused("m1"));
        await repeats.RecordAsync(Secret, Address, Refused("m1"));
        await repeats.FlushAsync();

        Assert.All(_log.Records, r => Assert.DoesNotContain(r.Details.Values.Append(r.Target ?? string.Empty), v => v.Contains("SECRET", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheInterval_RunsOnTheClock()
    {
        using var repeats = Create(interval: TimeSpan.FromSeconds(30));
        await repeats.StartAsync(CancellationToken.None);
        await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));
        await repeats.RecordAsync("kwa_revoked", Address, Refused("m1"));

        Assert.Single(_log.Records);

        // The service's loop starts its timer on its own thread: step the clock until the timer has seen an interval
        // pass (bounded). Nothing but the timer writes the count here.
        for (var step = 0; step < 200 && !_log.Next.IsCompleted; step++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(_log.Next, Task.Delay(50));
        }

        var counted = await _log.Next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("1", counted.Details["count"]);
        await repeats.StopAsync(CancellationToken.None);
    }

    private sealed class RecordingLog : IAuditLog
    {
        private readonly ConcurrentQueue<AuditRecord> _records = new();
        private readonly TaskCompletionSource<AuditRecord> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Failing;

        public List<AuditRecord> Records => [.. _records];

        /// <summary>Completes with the next record written after the first.</summary>
        public Task<AuditRecord> Next => _next.Task;

        public bool IsWriting => !Failing;

        public ValueTask<long> RecordAsync(AuditRecord record, CancellationToken cancellationToken = default) => RecordAllAsync([record], cancellationToken);

        public ValueTask<long> RecordAllAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
        {
            if (Failing)
            {
                return ValueTask.FromException<long>(new AuditUnavailableException("down"));
            }

            foreach (var record in records)
            {
                _records.Enqueue(record);
                if (_records.Count > 1)
                {
                    _next.TrySetResult(record);
                }
            }

            return ValueTask.FromResult((long)_records.Count);
        }
    }
}
