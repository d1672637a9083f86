using Volt.Compose.Model;
using Volt.Core.Errors;

namespace Volt.Compose.Parsing;

/// <summary>An invalid stack file: exit 12, <c>FILE line L, column C: key.path: what is wrong</c>.</summary>
public sealed class ComposeException(string message, Exception? inner = null) : VoltException(ExitCode.InvalidConfig, message, inner)
{
    public static ComposeException At(SourcePos? pos, string path, string message) =>
        new(pos is null ? (path.Length > 0 ? $"{path}: {message}" : message) : path.Length > 0 ? $"{pos}: {path}: {message}" : $"{pos}: {message}");
}
