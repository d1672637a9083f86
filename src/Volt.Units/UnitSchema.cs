namespace Volt.Units;

/// <summary>
/// The directives Volt writes and voltd implements, per section; every other section or directive is refused.
/// docs/units.md has the table with each directive's meaning and its test.
/// </summary>
public static class UnitSchema
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Sections = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["Unit"] = ["Description", "Documentation", "After", "Before", "Wants", "Requires", "Requisite", "PartOf"],
        ["Service"] =
        [
            "Type", "ExecStart", "ExecStartPre", "ExecStop", "Restart", "RestartSec", "TimeoutStartSec", "TimeoutStopSec",
            "KillMode", "KillSignal", "Environment", "EnvironmentFile", "User", "Group", "WorkingDirectory", "MemoryMax",
            "CPUQuota", "TasksMax", "Slice", "Delegate", "StandardInput", "StandardOutput", "StandardError", "SuccessExitStatus",
        ],
        ["Timer"] =
        [
            "OnCalendar", "OnBootSec", "OnActiveSec", "OnUnitActiveSec", "OnUnitInactiveSec", "Persistent",
            "RandomizedDelaySec", "AccuracySec", "Unit",
        ],
        ["Socket"] = ["ListenStream", "SocketMode", "SocketUser", "SocketGroup"],
        ["Install"] = ["WantedBy"],
    };

    /// <summary>The sections a unit of this file name may have (by suffix); every known section for other names.</summary>
    public static IReadOnlyList<string> SectionsFor(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith(".service", StringComparison.Ordinal)) return ["Unit", "Service", "Install"];
        if (name.EndsWith(".timer", StringComparison.Ordinal)) return ["Unit", "Timer", "Install"];
        if (name.EndsWith(".socket", StringComparison.Ordinal)) return ["Unit", "Socket", "Install"];
        return [.. Sections.Keys];
    }

    public static bool Supports(string section, string key) => Sections.TryGetValue(section, out var keys) && keys.Contains(key);

    /// <summary>The list an error message shows: <c>Description=, After=, …</c>.</summary>
    public static string Describe(string section) => string.Join(", ", Sections[section].Select(k => k + "="));
}
