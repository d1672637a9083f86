using Volt.Core.Errors;

namespace Volt.Units;

/// <summary>A unit file Volt cannot run: syntax error or unsupported directive, as <c>FILE:LINE:COLUMN: what</c> (exit 12).</summary>
public sealed class UnitFileException : VoltException
{
    public UnitFileException(string path, int line, int column, string what)
        : base(ExitCode.InvalidConfig, $"{path}:{line}:{column}: {what}")
    {
        File = path;
        Line = line;
        Column = column;
        What = what;
    }

    public string File { get; }
    public int Line { get; }
    public int Column { get; }

    /// <summary>The problem without the location.</summary>
    public string What { get; }

    /// <summary>An error about one directive's value, located at the value.</summary>
    public static UnitFileException At(string path, UnitDirective d, string what) => new(path, d.Line, d.ValueColumn, what);
}
