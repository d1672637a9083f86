namespace Volt.Core.Processes;

/// <summary>
/// A long-running process to start with <see cref="IProcessLauncher"/>: the program, its arguments (never through a
/// shell), its environment and how each standard stream is wired.
/// </summary>
public sealed record ProcessSpec(string Program, IReadOnlyList<string> Args)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set (a null value removes one) on top of ours, or of nothing with <see cref="ClearEnvironment"/>.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Start from an empty environment (only <see cref="Environment"/>).</summary>
    public bool ClearEnvironment { get; init; }

    public ProcessInput Stdin { get; init; } = ProcessInput.Inherit;
    public ProcessOutput Stdout { get; init; } = ProcessOutput.Inherit;
    public ProcessOutput Stderr { get; init; } = ProcessOutput.Inherit;

    /// <summary>Said after "Failed running PROGRAM: …" when it cannot be run at all (exit 10).</summary>
    public string MissingHint { get; init; } = "is it installed?";
}

/// <summary>How the child's stdin is wired.</summary>
public enum ProcessInput
{
    /// <summary>Ours (the terminal of <c>volt run -i</c>).</summary>
    Inherit,
    /// <summary>A pipe: write to <see cref="RunningProcess.StandardInput"/>, close it for end of file.</summary>
    Pipe,
    /// <summary>A pipe closed at once: the child reads end of file.</summary>
    Closed,
}

/// <summary>How one of the child's output streams is wired.</summary>
public sealed record ProcessOutput
{
    private ProcessOutput(OutputKind kind, Action<string>? onLine = null, string? file = null) => (Kind, OnLine, File) = (kind, onLine, file);

    public OutputKind Kind { get; }
    public Action<string>? OnLine { get; }
    public string? File { get; }

    /// <summary>Ours.</summary>
    public static ProcessOutput Inherit { get; } = new(OutputKind.Inherit);

    /// <summary>
    /// A pipe closed on our side at once: for a child that redirects its own output (a <c>sh -c '… &gt;&gt;log'</c>
    /// wrapper) and must not get ours; a write to it fails (EPIPE).
    /// </summary>
    public static ProcessOutput Closed { get; } = new(OutputKind.Closed);

    /// <summary>Collected; <see cref="RunningProcess.StdOut"/>/<see cref="RunningProcess.StdErr"/> after the exit.</summary>
    public static ProcessOutput Capture { get; } = new(OutputKind.Capture);

    /// <summary>A pipe the caller reads itself (<c>RunningProcess.Process.StandardOutput</c>): a handshake line, say.</summary>
    public static ProcessOutput Pipe { get; } = new(OutputKind.Pipe);

    /// <summary>Each line (without its newline) as it comes, on a pool thread, in order.</summary>
    public static ProcessOutput Lines(Action<string> onLine) => new(OutputKind.Lines, onLine);

    /// <summary>Appended to <paramref name="path"/> (created when missing) as it comes.</summary>
    public static ProcessOutput ToFile(string path) => new(OutputKind.File, file: path);
}

public enum OutputKind { Inherit, Closed, Capture, Lines, File, Pipe }
