using System.Globalization;
using Volt.Units;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Services;

/// <summary>What <c>volt service create</c> asks for; <see cref="Render"/> turns it into the unit (the single truth).</summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }
    /// <summary>The command: an absolute path first (resolved on PATH at create), then its arguments.</summary>
    public required IReadOnlyList<string> Command { get; init; }
    public string? Description { get; init; }
    public string? User { get; init; }
    public string? Group { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    public IReadOnlyList<string> EnvironmentFiles { get; init; } = [];
    public string? WorkingDirectory { get; init; }
    public long? MemoryBytes { get; init; }
    public int? CpuPercent { get; init; }
    public int? Tasks { get; init; }
    public UnitRestart Restart { get; init; } = UnitRestart.No;
    public TimeSpan RestartSec { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public IReadOnlyList<string> After { get; init; } = [];
    public IReadOnlyList<string> ExecStartPre { get; init; } = [];
    /// <summary>Kept beside the unit (<see cref="ServiceStore.SandboxFile"/>); null: the default sandbox.</summary>
    public Volt.Sandbox.SandboxSpec? Sandbox { get; init; }

    /// <summary>The <c>NAME.service</c> unit text, built with <see cref="UnitFileBuilder"/> (so it parses back).</summary>
    public string Render()
    {
        var b = new UnitFileBuilder(ServiceName.UnitName(Name))
            .Comment("Written by volt service create; edit with: volt service edit " + Name)
            .Section("Unit")
            .Add("Description", UnitQuoting.Specifiers(Description ?? $"Volt service {Name}"));
        foreach (var a in After) b.Add("After", a);
        b.Section("Service").Add("Type", "simple");
        b.AddCommand("ExecStart", Command);
        b.Add("Restart", Restart switch { UnitRestart.Always => "always", UnitRestart.OnFailure => "on-failure", _ => "no" });
        if (Restart != UnitRestart.No) b.Add("RestartSec", Seconds(RestartSec));
        b.Add("TimeoutStopSec", Seconds(StopTimeout));
        b.AddIf("User", User is null ? null : UnitQuoting.Specifiers(User));
        b.AddIf("Group", Group is null ? null : UnitQuoting.Specifiers(Group));
        foreach (var (k, v) in Environment) b.Add("Environment", UnitQuoting.Environment(k, v));
        foreach (var f in EnvironmentFiles) b.Add("EnvironmentFile", UnitQuoting.Specifiers(f));
        b.AddIf("WorkingDirectory", WorkingDirectory is null ? null : UnitQuoting.Specifiers(WorkingDirectory));
        if (MemoryBytes is { } m) b.Add("MemoryMax", m.ToString(CultureInfo.InvariantCulture));
        if (CpuPercent is { } c) b.Add("CPUQuota", c.ToString(CultureInfo.InvariantCulture) + "%");
        if (Tasks is { } t) b.Add("TasksMax", t.ToString(CultureInfo.InvariantCulture));
        b.Section("Install").Add("WantedBy", "multi-user.target");
        return b.Build().Render();
    }

    private static string Seconds(TimeSpan t) =>
        t.TotalMilliseconds % 1000 == 0 ? ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
        : ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary><c>--memory 256M</c> as container create reads it.</summary>
    public static long? ParseMemory(string? text) => text is null ? null : ResourceParser.Memory(text);
}
