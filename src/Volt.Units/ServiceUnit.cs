using System.Globalization;

namespace Volt.Units;

/// <summary>
/// The <c>.service</c> unit as voltd runs it: every directive of the subset, parsed and validated, errors located at
/// the directive (<c>FILE:LINE:COLUMN</c>). Defaults are systemd's.
/// </summary>
public sealed record ServiceUnit
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Documentation { get; init; } = [];
    public IReadOnlyList<string> After { get; init; } = [];
    public IReadOnlyList<string> Before { get; init; } = [];
    public IReadOnlyList<string> Wants { get; init; } = [];
    public IReadOnlyList<string> Requires { get; init; } = [];
    public IReadOnlyList<string> Requisite { get; init; } = [];
    public IReadOnlyList<string> PartOf { get; init; } = [];
    public IReadOnlyList<string> WantedBy { get; init; } = [];

    public ServiceType Type { get; init; } = ServiceType.Simple;
    public IReadOnlyList<UnitCommand> ExecStart { get; init; } = [];
    public IReadOnlyList<UnitCommand> ExecStartPre { get; init; } = [];
    public IReadOnlyList<UnitCommand> ExecStop { get; init; } = [];
    public UnitRestart Restart { get; init; } = UnitRestart.No;
    public TimeSpan RestartSec { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>null: no limit (<c>infinity</c>).</summary>
    public TimeSpan? TimeoutStartSec { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan? TimeoutStopSec { get; init; } = TimeSpan.FromSeconds(90);
    public KillMode KillMode { get; init; } = KillMode.ControlGroup;
    public int KillSignal { get; init; } = 15;

    /// <summary>Environment= assignments in order (a later assignment of a name replaces the earlier value).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<UnitEnvironmentFile> EnvironmentFiles { get; init; } = [];
    public string? User { get; init; }
    public string? Group { get; init; }
    public string? WorkingDirectory { get; init; }

    /// <summary>Bytes; null for no limit.</summary>
    public long? MemoryMax { get; init; }
    public int? CpuQuotaPercent { get; init; }
    public int? TasksMax { get; init; }
    public string? Slice { get; init; }
    public bool Delegate { get; init; }
    public UnitOutput StandardOutput { get; init; } = new(OutputKind.Journal);

    /// <summary>Inherit: the same target as standard output (systemd's default).</summary>
    public UnitOutput StandardError { get; init; } = new(OutputKind.Inherit);

    /// <summary>Exit statuses that count as success besides 0.</summary>
    public IReadOnlyList<int> SuccessExitStatus { get; init; } = [];

    /// <summary>Signals whose termination counts as success besides SIGHUP, SIGINT, SIGTERM, SIGPIPE.</summary>
    public IReadOnlyList<int> SuccessSignals { get; init; } = [];

    /// <summary>The typed view of a parsed <c>.service</c> unit; throws <see cref="UnitFileException"/> on invalid values.</summary>
    public static ServiceUnit From(UnitFile unit) => ServiceUnitReader.Read(unit);

    /// <summary>Whether a main process exit status counts as success (0, or listed in SuccessExitStatus=).</summary>
    public bool IsSuccess(int exitStatus) => exitStatus == 0 || SuccessExitStatus.Contains(exitStatus);

    internal static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);
}
