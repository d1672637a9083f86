using System.Globalization;

namespace Volt.Units;

/// <summary>Builds a <see cref="ServiceUnit"/> from [Unit], [Service] and [Install], validating as it goes.</summary>
internal static class ServiceUnitReader
{
    public static ServiceUnit Read(UnitFile unit)
    {
        var svc = unit.Sections.FirstOrDefault(s => s.Name == "Service")
            ?? throw new UnitFileException(unit.Path, 1, 1, "no [Service] section");
        var u = new UnitReader(unit, "Unit");
        var s = new UnitReader(unit, "Service");
        var i = new UnitReader(unit, "Install");
        var (exitCodes, signals) = SuccessStatus(s);
        var result = new ServiceUnit
        {
            Name = unit.Name,
            Description = u.Text("Description"),
            Documentation = u.List<string>("Documentation", v => UnitWords.Split(UnitSpecifiers.Expand(v))),
            After = u.Names("After"),
            Before = u.Names("Before"),
            Wants = u.Names("Wants"),
            Requires = u.Names("Requires"),
            Requisite = u.Names("Requisite"),
            PartOf = u.Names("PartOf"),
            WantedBy = i.Names("WantedBy"),
            Type = s.One("Type", ParseType),
            ExecStart = s.List("ExecStart", v => new[] { UnitCommand.Parse(v) }),
            ExecStartPre = s.List("ExecStartPre", v => new[] { UnitCommand.Parse(v) }),
            ExecStop = s.List("ExecStop", v => new[] { UnitCommand.Parse(v) }),
            Restart = s.One("Restart", ParseRestart),
            RestartSec = s.One("RestartSec", v => (TimeSpan?)(UnitTimeSpan.Parse(v) ?? throw new FormatException("RestartSec= must be finite"))) ?? TimeSpan.FromMilliseconds(100),
            TimeoutStartSec = s.Span("TimeoutStartSec", TimeSpan.FromSeconds(90)),
            TimeoutStopSec = s.Span("TimeoutStopSec", TimeSpan.FromSeconds(90)),
            KillMode = s.One("KillMode", ParseKillMode),
            KillSignal = s.One("KillSignal", v => (int?)UnitValues.Signal(v)) ?? 15,
            Environment = Environment(s),
            EnvironmentFiles = s.List("EnvironmentFile", v => new[] { ParseEnvironmentFile(v) }),
            User = s.One("User", UserName),
            Group = s.One("Group", UserName),
            WorkingDirectory = s.One("WorkingDirectory", UnitReader.AbsolutePath),
            MemoryMax = s.One("MemoryMax", UnitValues.Size),
            CpuQuotaPercent = s.One("CPUQuota", v => (int?)UnitValues.Percent(v)),
            TasksMax = s.One("TasksMax", UnitValues.Count),
            Slice = s.One("Slice", v => v.EndsWith(".slice", StringComparison.Ordinal) ? v : throw new FormatException($"\"{v}\" is not a slice name")),
            Delegate = s.One("Delegate", UnitValues.Boolean),
            StandardOutput = s.One("StandardOutput", ParseOutput) ?? new UnitOutput(OutputKind.Journal),
            StandardError = s.One("StandardError", ParseOutput) ?? new UnitOutput(OutputKind.Inherit),
            SuccessExitStatus = exitCodes,
            SuccessSignals = signals,
        };
        s.One("StandardInput", v => v == "null" ? v : throw new FormatException("voltd implements StandardInput=null only"));
        Validate(unit, svc, result);
        return result;
    }

    private static void Validate(UnitFile unit, UnitSection svc, ServiceUnit r)
    {
        if (r.ExecStart.Count == 0) throw new UnitFileException(unit.Path, svc.Line, 1, "[Service] has no ExecStart=");
        if (r.Type != ServiceType.Oneshot && r.ExecStart.Count > 1)
        {
            var extra = unit.All("Service", "ExecStart").Last(d => d.Value.Length > 0);
            throw UnitFileException.At(unit.Path, extra, $"more than one ExecStart= is allowed for Type=oneshot only (this is Type={TypeName(r.Type)})");
        }
        if (r.Type == ServiceType.Oneshot && r.Restart == UnitRestart.Always)
            throw UnitFileException.At(unit.Path, unit.Last("Service", "Restart")!, "Restart=always is not allowed for Type=oneshot");
    }

    private static string TypeName(ServiceType t) => t.ToString().ToLowerInvariant();

    private static ServiceType ParseType(string v) => v switch
    {
        "simple" => ServiceType.Simple, "exec" => ServiceType.Exec, "oneshot" => ServiceType.Oneshot,
        _ => throw new FormatException("voltd implements Type=simple, exec and oneshot"),
    };

    private static UnitRestart ParseRestart(string v) => v switch
    {
        "no" => UnitRestart.No, "on-failure" => UnitRestart.OnFailure, "always" => UnitRestart.Always,
        _ => throw new FormatException("voltd implements Restart=no, on-failure and always"),
    };

    private static KillMode ParseKillMode(string v) => v switch
    {
        "control-group" => KillMode.ControlGroup, "mixed" => KillMode.Mixed, "process" => KillMode.Process,
        _ => throw new FormatException("voltd implements KillMode=control-group, mixed and process"),
    };

    private static UnitOutput ParseOutput(string v)
    {
        if (v == "inherit") return new(OutputKind.Inherit);
        if (v == "null") return new(OutputKind.Null);
        if (v == "journal") return new(OutputKind.Journal);
        if (v.StartsWith("append:", StringComparison.Ordinal)) return new(OutputKind.Append, UnitReader.AbsolutePath(v["append:".Length..]));
        if (v.StartsWith("truncate:", StringComparison.Ordinal)) return new(OutputKind.Truncate, UnitReader.AbsolutePath(v["truncate:".Length..]));
        throw new FormatException("voltd implements inherit, null, journal, append:PATH and truncate:PATH");
    }

    private static UnitEnvironmentFile ParseEnvironmentFile(string v) =>
        v.StartsWith('-') ? new(UnitReader.AbsolutePath(v[1..]), true) : new(UnitReader.AbsolutePath(v), false);

    private static string UserName(string v)
    {
        var name = UnitSpecifiers.Expand(v);
        var ok = name.Length is > 0 and <= 256 && (char.IsAsciiLetterOrDigit(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
        return ok ? name : throw new FormatException($"\"{name}\" is not a valid user or group name");
    }

    private static OrderedDictionary<string, string> Environment(UnitReader s)
    {
        var pairs = s.List("Environment", v => UnitWords.Split(UnitSpecifiers.Expand(v)).Select(Assignment));
        var env = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs) env[k] = v;
        return env;
    }

    internal static KeyValuePair<string, string> Assignment(string word)
    {
        var eq = word.IndexOf('=');
        if (eq <= 0 || !IsEnvName(word.AsSpan(0, eq))) throw new FormatException($"\"{word}\" is not a NAME=VALUE assignment");
        return new(word[..eq], word[(eq + 1)..]);
    }

    internal static bool IsEnvName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) return false;
        foreach (var c in name) if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    private static (List<int> Codes, List<int> Signals) SuccessStatus(UnitReader s)
    {
        var all = s.List("SuccessExitStatus", v => UnitWords.Split(v).Select(Status));
        return ([.. all.Where(x => !x.Signal).Select(x => x.Value)], [.. all.Where(x => x.Signal).Select(x => x.Value)]);
    }

    private static (bool Signal, int Value) Status(string w)
    {
        if (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return (true, UnitValues.Signal(w));
        return n <= 255 ? (false, n) : throw new FormatException($"exit status {w} is above 255");
    }
}
