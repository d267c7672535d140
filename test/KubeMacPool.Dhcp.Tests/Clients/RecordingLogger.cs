using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.Dhcp.Tests.Clients;

/// <summary>Keeps every log entry (all levels) so tests can see which replies the agent sent.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));

    public IEnumerable<string> Messages(int eventId) => Entries.Where(entry => entry.EventId == eventId).Select(entry => entry.Message);
}
