using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Volt.Images.Build.Containerfiles;

/// <summary>
/// Parses a Containerfile/Dockerfile as Docker does: parser directives at the top (<c># escape=`</c>,
/// <c># syntax=</c> ignored), comment lines, line continuations with the escape character (comment lines inside a
/// continuation are dropped), heredocs (<c>RUN &lt;&lt;EOF</c>, <c>&lt;&lt;-EOF</c>, quoted names do not expand),
/// <c>--flag=value</c> options, the JSON (exec) form and <c>ARG</c> before the first <c>FROM</c>. Any problem is a
/// <see cref="ContainerfileException"/> (exit 12) naming the file, the line and the instruction.
/// </summary>
public static partial class ContainerfileParser
{
    private static readonly HashSet<string> Known =
    [
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
        "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    ];

    private static readonly Dictionary<string, string[]> AllowedFlags = new()
    {
        ["FROM"] = ["platform"],
        ["RUN"] = ["network", "security"],
        ["COPY"] = ["from", "chown", "chmod", "link", "parents"],
        ["ADD"] = ["chown", "chmod", "link", "checksum", "keep-git-dir"],
        ["HEALTHCHECK"] = ["interval", "timeout", "start-period", "start-interval", "retries"],
    };

    public static Containerfile ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (FileNotFoundException) { throw Volt.Core.Errors.VoltException.NotFound($"Containerfile \"{path}\" not found"); }
        catch (DirectoryNotFoundException) { throw Volt.Core.Errors.VoltException.NotFound($"Containerfile \"{path}\" not found"); }
        return Parse(text, path);
    }

    public static Containerfile Parse(string text, string file)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var escape = '\\';
        var i = 0;
        // Parser directives: only at the very top, before any blank line, comment or instruction.
        for (; i < lines.Length; i++)
        {
            var m = DirectiveRe().Match(lines[i]);
            if (!m.Success) break;
            var key = m.Groups[1].Value.ToLowerInvariant();
            var value = m.Groups[2].Value;
            if (key == "escape")
            {
                if (value is not ("\\" or "`")) throw new ContainerfileException(file, i + 1, "escape", $"invalid escape token \"{value}\" (\\ or `)");
                escape = value[0];
            }
        }

        var instructions = new List<Instruction>();
        while (i < lines.Length)
        {
            var raw = lines[i];
            var trimmed = raw.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] == '#') { i++; continue; }
            var start = i + 1;
            var logical = new StringBuilder();
            while (true)
            {
                var line = lines[i].TrimEnd();
                i++;
                if (line.Length > 0 && line[^1] == escape)
                {
                    logical.Append(line, 0, line.Length - 1);
                    // Comment lines and empty lines inside a continuation are dropped, as Docker does.
                    while (i < lines.Length && (lines[i].TrimStart().StartsWith('#') || lines[i].Trim().Length == 0)) i++;
                    if (i >= lines.Length) break;
                    continue;
                }
                logical.Append(line);
                break;
            }
            var instr = ParseInstruction(logical.ToString().Trim(), start, file, escape, lines, ref i);
            instructions.Add(instr);
        }
        return Structure(instructions, file, escape);
    }

    private static Instruction ParseInstruction(string text, int line, string file, char escape, string[] lines, ref int next)
    {
        var sp = text.IndexOfAny([' ', '\t']);
        var keyword = (sp < 0 ? text : text[..sp]).ToUpperInvariant();
        var rest = sp < 0 ? "" : text[(sp + 1)..].TrimStart();
        if (!Known.Contains(keyword)) throw new ContainerfileException(file, line, keyword, $"unknown instruction \"{(sp < 0 ? text : text[..sp])}\"");
        var flags = new List<KeyValuePair<string, string>>();
        if (AllowedFlags.TryGetValue(keyword, out var allowed))
        {
            while (rest.StartsWith("--", StringComparison.Ordinal))
            {
                var end = rest.IndexOfAny([' ', '\t']);
                var tok = end < 0 ? rest : rest[..end];
                rest = end < 0 ? "" : rest[(end + 1)..].TrimStart();
                var eq = tok.IndexOf('=');
                var name = eq < 0 ? tok[2..] : tok[2..eq];
                var value = eq < 0 ? "true" : tok[(eq + 1)..];
                if (name == "mount" && keyword == "RUN") throw new ContainerfileException(file, line, keyword, "RUN --mount is not supported");
                if (!allowed.Contains(name)) throw new ContainerfileException(file, line, keyword, $"unknown flag --{name} (allowed: {string.Join(", ", allowed.Select(a => "--" + a))})");
                flags.Add(new(name, value));
            }
        }
        var heredocs = new List<Heredoc>();
        if (keyword is "RUN" or "COPY" or "ADD")
        {
            foreach (Match m in HeredocRe().Matches(rest))
            {
                var name = m.Groups[3].Value;
                var strip = m.Groups[1].Value == "-";
                var body = new StringBuilder();
                var closed = false;
                while (next < lines.Length)
                {
                    var l = lines[next++];
                    var cmp = strip ? l.TrimStart('\t') : l;
                    if (cmp == name) { closed = true; break; }
                    body.Append(cmp).Append('\n');
                }
                if (!closed) throw new ContainerfileException(file, line, keyword, $"heredoc <<{name} is not terminated by a line \"{name}\"");
                heredocs.Add(new Heredoc(name, body.ToString(), m.Groups[2].Value.Length == 0));
            }
        }
        IReadOnlyList<string>? json = null;
        if (rest.StartsWith('[') && keyword is "RUN" or "CMD" or "ENTRYPOINT" or "SHELL" or "COPY" or "ADD" or "VOLUME" or "HEALTHCHECK" or "ONBUILD")
            json = TryJson(rest);
        var instr = new Instruction(keyword, line, flags, rest, json, text) { Heredocs = heredocs };
        Validate(instr, file, escape);
        return instr;
    }

    internal static List<string>? TryJson(string s)
    {
        try
        {
            using var doc = JsonDocument.Parse(s);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) return null;
            var list = new List<string>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.String) return null;
                list.Add(e.GetString()!);
            }
            return list;
        }
        catch (JsonException) { return null; }
    }

    private static void Validate(Instruction i, string file, char escape)
    {
        ContainerfileException Bad(string problem) => ContainerfileException.At(file, i, problem);
        var a = i.Args.Trim();
        switch (i.Keyword)
        {
            case "FROM":
                var w = a.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (w.Length == 0) throw Bad("needs a base image (FROM IMAGE [AS NAME])");
                if (w.Length == 2 || w.Length > 3 || (w.Length == 3 && !w[1].Equals("AS", StringComparison.OrdinalIgnoreCase)))
                    throw Bad($"expected FROM IMAGE [AS NAME], got \"{a}\"");
                if (w.Length == 3 && !StageNameRe().IsMatch(w[2])) throw Bad($"invalid stage name \"{w[2]}\"");
                break;
            case "RUN" or "CMD" or "ENTRYPOINT":
                if (a.Length == 0 && i.Keyword == "RUN") throw Bad("needs a command");
                if (a.Length == 0) throw Bad("needs a command (or [] in JSON form)");
                if (i.Flag("network") is { } net && net is not ("none" or "host" or "default")) throw Bad($"--network={net}: none, host or default");
                break;
            case "COPY" or "ADD":
                var n = i.Json?.Count ?? Words(a, file, i, escape).Count;
                if (n < 2)
                    throw Bad("needs at least one source and a destination");
                if (i.Flag("chmod") is { } mode && !OctalRe().IsMatch(mode)) throw Bad($"--chmod={mode}: expected an octal mode such as 0755");
                break;
            case "ENV" or "LABEL":
                if (a.Length == 0) throw Bad("needs KEY=VALUE");
                var words = Words(a, file, i, escape);
                if (!words[0].Contains('=') && words.Count < 2) throw Bad($"\"{words[0]}\" needs a value ({i.Keyword} KEY=VALUE)");
                if (words[0].Contains('=') && words.Any(x => !x.Contains('=')))
                    throw Bad($"\"{words.First(x => !x.Contains('='))}\" is not KEY=VALUE");
                if (words.Any(x => x.StartsWith('='))) throw Bad("a key is empty");
                break;
            case "ARG":
                if (a.Length == 0) throw Bad("needs a name (ARG NAME[=DEFAULT])");
                foreach (var word in Words(a, file, i, escape))
                    if (!ArgNameRe().IsMatch(word.Split('=', 2)[0])) throw Bad($"invalid name \"{word.Split('=', 2)[0]}\"");
                break;
            case "EXPOSE" or "VOLUME" or "MAINTAINER":
                if (a.Length == 0) throw Bad("needs an argument");
                break;
            case "USER" or "WORKDIR" or "STOPSIGNAL":
                if (a.Length == 0) throw Bad("needs an argument");
                if (i.Keyword != "WORKDIR" && Words(a, file, i, escape).Count != 1) throw Bad("takes exactly one argument");
                break;
            case "SHELL":
                if (i.Json is not { Count: > 0 }) throw Bad("requires the JSON form, e.g. SHELL [\"/bin/sh\", \"-c\"]");
                break;
            case "HEALTHCHECK":
                if (a.Equals("NONE", StringComparison.OrdinalIgnoreCase)) break;
                if (!a.StartsWith("CMD", StringComparison.OrdinalIgnoreCase) || a.Length < 4 || !char.IsWhiteSpace(a[3]))
                    throw Bad("expected HEALTHCHECK [OPTIONS] CMD command, or HEALTHCHECK NONE");
                foreach (var f in i.Flags)
                {
                    if (f.Key == "retries") { if (!int.TryParse(f.Value, out var r) || r < 0) throw Bad($"--retries={f.Value}: expected a whole number"); }
                    else if (Duration(f.Value) is null) throw Bad($"--{f.Key}={f.Value}: expected a duration such as 30s");
                }
                break;
            case "ONBUILD":
                var inner = a.Split([' ', '\t'], 2)[0].ToUpperInvariant();
                if (inner.Length == 0) throw Bad("needs an instruction");
                if (inner is "ONBUILD" or "FROM" or "MAINTAINER") throw Bad($"ONBUILD {inner} is not allowed");
                if (!Known.Contains(inner)) throw Bad($"unknown instruction \"{inner}\"");
                break;
        }
    }

    private static List<string> Words(string a, string file, Instruction i, char escape)
    {
        try { return ShellWords.Words(a, n => "$" + n, escape); }
        catch (FormatException e) { throw ContainerfileException.At(file, i, e.Message); }
    }

    /// <summary>A Go-style duration (<c>30s</c>, <c>1m30s</c>, <c>500ms</c>), or null.</summary>
    public static TimeSpan? Duration(string s)
    {
        var m = DurationRe().Match(s);
        if (!m.Success || s.Length == 0) return null;
        var total = TimeSpan.Zero;
        foreach (Capture c in m.Groups[1].Captures)
        {
            var part = PartRe().Match(c.Value);
            var v = double.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "ns" => TimeSpan.FromTicks((long)(v / 100)), "us" or "µs" => TimeSpan.FromTicks((long)(v * 10)), "ms" => TimeSpan.FromMilliseconds(v),
                "s" => TimeSpan.FromSeconds(v), "m" => TimeSpan.FromMinutes(v), _ => TimeSpan.FromHours(v),
            };
        }
        return total;
    }

    private static Containerfile Structure(List<Instruction> all, string file, char escape)
    {
        var globals = new List<Instruction>();
        var stages = new List<Stage>();
        Instruction? from = null;
        List<Instruction>? body = null;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Close()
        {
            if (from is null) return;
            var w = from.Args.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var name = w.Length == 3 ? w[2].ToLowerInvariant() : null;
            if (name is not null && !names.Add(name)) throw ContainerfileException.At(file, from, $"duplicate stage name \"{name}\"");
            stages.Add(new Stage(stages.Count, name, from, w[0], from.Flag("platform"), body!));
        }
        foreach (var i in all)
        {
            if (i.Keyword == "FROM")
            {
                Close();
                from = i;
                body = [];
                continue;
            }
            if (from is null)
            {
                if (i.Keyword != "ARG") throw ContainerfileException.At(file, i, "only ARG may come before the first FROM");
                globals.Add(i);
                continue;
            }
            body!.Add(i);
        }
        Close();
        if (stages.Count == 0) throw new ContainerfileException(file, 0, "FROM", "no FROM instruction: a Containerfile starts with FROM (after ARGs)");
        return new Containerfile(file, escape, globals, stages);
    }

    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")] private static partial Regex DirectiveRe();
    [GeneratedRegex(@"<<(-?)([""']?)([A-Za-z_][A-Za-z0-9_]*)\2")] private static partial Regex HeredocRe();
    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9_.-]*$")] private static partial Regex StageNameRe();
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")] private static partial Regex ArgNameRe();
    [GeneratedRegex(@"^[0-7]{3,4}$")] private static partial Regex OctalRe();
    [GeneratedRegex(@"^(?:([0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h)))+$")] private static partial Regex DurationRe();
    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)$")] private static partial Regex PartRe();
}
