using Volt.Core.Errors;

namespace Volt.Images.Build.Containerfiles;

/// <summary>A Containerfile that cannot be built as written: exit 12, <c>FILE:LINE: INSTRUCTION: problem</c>.</summary>
public sealed class ContainerfileException(string file, int line, string instruction, string problem)
    : VoltException(ExitCode.InvalidConfig, line > 0 ? $"{file}:{line}: {instruction}: {problem}" : $"{file}: {instruction}: {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Instruction { get; } = instruction;
    public string Problem { get; } = problem;

    public static ContainerfileException At(string file, Instruction i, string problem) => new(file, i.Line, i.Keyword, problem);
}
