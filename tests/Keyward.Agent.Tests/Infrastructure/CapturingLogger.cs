using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Keyward.Agent.Tests.Infrastructure;

/// <summary>Keeps every log line (message and every structured value) so a test can assert what was and was not logged.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(int EventId, string Text)> _lines = new();

    public IReadOnlyList<(int EventId, string Text)> Lines => [.. _lines];

    public string All => string.Join('\n', _lines.Select(l => l.Text));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        _lines.Enqueue((eventId.Id, $"{formatter(state, exception)} | {values} | {exception}"));
    }
}
