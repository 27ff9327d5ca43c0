using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Tests.Hosting;

/// <summary>A logger provider keeping every message (level, event id, text, exception) for the test to read.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public sealed record Entry(LogLevel Level, EventId Id, string Message, Exception? Exception);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new Entry(logLevel, eventId, formatter(state, exception), exception));
    }
}
