using Microsoft.Extensions.Logging;

namespace Volt.Workloads.Tasks;

public sealed partial class TaskTimers
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "task {Name}: starting ({Trigger})")]
    private static partial void LogStarting(ILogger log, string name, string trigger);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "task {Name}: {Result} (exit code {Code})")]
    private static partial void LogFinished(ILogger log, string name, string result, int? code);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "task {Name}: skipped, the run started at {Since} is still running")]
    private static partial void LogSkipped(ILogger log, string name, DateTimeOffset since);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Warning, Message = "task {Name}: timed out after {Limit}, stopping it")]
    private static partial void LogTimedOut(ILogger log, string name, TimeSpan limit);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Error, Message = "task {Name}: could not start its service")]
    private static partial void LogLaunchFailed(ILogger log, string name, Exception e);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Error, Message = "task {Name}: recording the run failed")]
    private static partial void LogRunFailed(ILogger log, string name, Exception e);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "task {Name}: the run started at {Start} was interrupted (voltd died during it)")]
    private static partial void LogInterrupted(ILogger log, string name, DateTimeOffset start);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Error, Message = "task {Name}: could not recover its last run")]
    private static partial void LogRecoverFailed(ILogger log, string name, Exception e);
}
