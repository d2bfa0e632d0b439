using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Keyward.Agent.Tests.Infrastructure;

/// <summary>Keeps every log line (message and every structured value) so a test can assert what was and was not logged.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(int EventId, string Text)> _lines = new();

    public IReadOnlyList<(int EventId, string Text)> Lines => [.. _lines];

    public string All => string.Join('\n', _lines.Select(l => l.Text));

    /// <summary>Completes when a line with <paramref name="eventId"/> has been logged (now or later).</summary>
    public async Task WaitForAsync(int eventId, int count = 1)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (_lines.Count(l => l.EventId == eventId) < count)
        {
            var changed = _changed;
            if (_lines.Count(l => l.EventId == eventId) >= count)
            {
                break;
            }

            await changed.Task.WaitAsync(deadline.Token);
        }
    }

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        _lines.Enqueue((eventId.Id, $"{formatter(state, exception)} | {values} | {exception}"));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
