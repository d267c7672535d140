using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

/// <summary>Keeps every log line written through it (level, event id, message, whether an exception came with it).</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message, bool WithException)> _lines = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message, bool WithException)> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(LogLevel, int, string, bool)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((logLevel, eventId.Id, formatter(state, exception), exception is not null));
    }
}
