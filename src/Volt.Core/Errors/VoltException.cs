namespace Volt.Core.Errors;

/// <summary>
/// The one error type that crosses layers: it carries the exit code the CLI returns.
/// Messages name the failed action and keep the cause (<c>Failed creating bridge "volt0": …</c>).
/// </summary>
public class VoltException : Exception
{
    public VoltException(ExitCode code, string message, Exception? inner = null) : base(message, inner) => Code = code;

    public ExitCode Code { get; }

    public static VoltException NotFound(string message) => new(ExitCode.NotFound, message);
    public static VoltException Usage(string message) => new(ExitCode.Usage, message);
    public static VoltException Exists(string message) => new(ExitCode.AlreadyExists, message);
    public static VoltException Conflict(string message) => new(ExitCode.Conflict, message);

    /// <summary>Wraps an I/O failure with the action that failed, mapping errno-like causes to exit codes.</summary>
    public static VoltException From(string action, Exception cause) => cause switch
    {
        VoltException v => new VoltException(v.Code, $"{action}: {v.Message}", v),
        FileNotFoundException or DirectoryNotFoundException => new(ExitCode.NotFound, $"{action}: {cause.Message}", cause),
        UnauthorizedAccessException => new(ExitCode.Permission, $"{action}: {cause.Message}", cause),
        IOException io when IsDiskFull(io) => new(ExitCode.Resource, $"{action}: no space left on device", cause),
        OperationCanceledException => new(ExitCode.Interrupted, $"{action}: interrupted", cause),
        _ => new(ExitCode.General, $"{action}: {cause.Message}", cause),
    };

    /// <summary>ENOSPC (28) or EDQUOT (122) as .NET surfaces them on Linux.</summary>
    public static bool IsDiskFull(IOException io) =>
        (io.HResult & 0xFFFF) is 28 or 122 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
}
