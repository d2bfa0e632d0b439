using Microsoft.Extensions.Logging;

namespace Keyward.Testing.Hosting;

/// <summary>
/// Writes a test host's log lines, with every structured value (as a JSON sink would), to the run directory's
/// <c>logs/keyward.log</c> (<see cref="TestRun"/>), for the leak scan.
/// </summary>
internal sealed class TestRunLogProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new FileLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class FileLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            TestRun.Append("logs", "keyward.log", $"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {values} {exception}".ReplaceLineEndings(" "));
        }
    }
}
