namespace Volt.Images.Build.Containerfiles;

/// <summary>
/// One instruction of a Containerfile as written: the keyword (upper case), its <c>--flag=value</c> options, the
/// rest of the line (continuations joined, comments dropped), its JSON-array form when it has one, and an inline
/// heredoc body (<c>RUN &lt;&lt;EOF</c>). <see cref="Line"/> is the 1-based line it starts on.
/// </summary>
public sealed record Instruction(string Keyword, int Line, IReadOnlyList<KeyValuePair<string, string>> Flags, string Args,
    IReadOnlyList<string>? Json, string Original)
{
    /// <summary>Heredoc bodies in order of their <c>&lt;&lt;NAME</c> markers (name, body, whether $VARS expand).</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    public string? Flag(string name) => Flags.LastOrDefault(f => f.Key == name) is { Key: not null } kv ? kv.Value : null;

    public IEnumerable<string> FlagValues(string name) => Flags.Where(f => f.Key == name).Select(f => f.Value);

    /// <summary>The instruction as history shows it (one line, shortened).</summary>
    public string Display => Original.Length > 200 ? Original[..197] + "..." : Original;
}

public sealed record Heredoc(string Name, string Body, bool Expand);

/// <summary>A build stage: <c>FROM base [AS name]</c> and its instructions.</summary>
public sealed record Stage(int Index, string? Name, Instruction From, string BaseRaw, string? Platform, IReadOnlyList<Instruction> Instructions);

/// <summary>A parsed Containerfile: <c>ARG</c>s before the first <c>FROM</c>, then the stages.</summary>
public sealed record Containerfile(string File, char Escape, IReadOnlyList<Instruction> GlobalArgs, IReadOnlyList<Stage> Stages)
{
    /// <summary>The stage a <c>--target</c> names (by name, or by index), exit 12 when there is none.</summary>
    public Stage Target(string? target)
    {
        if (target is null) return Stages[^1];
        var s = Stages.FirstOrDefault(s => string.Equals(s.Name, target, StringComparison.OrdinalIgnoreCase))
            ?? (int.TryParse(target, out var i) && i >= 0 && i < Stages.Count ? Stages[i] : null);
        return s ?? throw new ContainerfileException(File, 0, "--target", $"no stage named \"{target}\" (stages: {string.Join(", ", Stages.Select(x => x.Name ?? x.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)))})");
    }
}
