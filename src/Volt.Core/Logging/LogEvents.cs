namespace Volt.Core;

/// <summary>
/// Event ids of Volt.Core's <c>[LoggerMessage]</c> methods: 1000-1999 (the ranges of every project: docs/logging.md).
/// An id names one message for good; a removed message's id is not reused.
/// </summary>
internal static class LogEvents
{
    public const int UndoFailed = 1001;
    public const int ProcessSignalFailed = 1100;
}
