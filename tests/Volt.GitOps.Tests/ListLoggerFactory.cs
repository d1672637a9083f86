using Microsoft.Extensions.Logging;

namespace Volt.GitOps.Tests;

/// <summary>Collects formatted log lines as "EVENTID message" (the server logs through [LoggerMessage] only).</summary>
internal sealed class ListLoggerFactory(List<string> lines) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => new L(lines);
    public void Dispose() { }

    private sealed class L(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        { lock (lines) lines.Add($"{eventId.Id} {formatter(state, exception)}"); }
    }
}
