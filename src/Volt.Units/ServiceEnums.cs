namespace Volt.Units;

/// <summary><c>Type=</c>: when the service counts as started. Volt writes simple and oneshot; exec is accepted too.</summary>
public enum ServiceType { Simple, Exec, Oneshot }

/// <summary><c>Restart=</c> values voltd implements.</summary>
public enum UnitRestart { No, OnFailure, Always }

/// <summary><c>KillMode=</c>: which processes the stop signal reaches.</summary>
public enum KillMode { ControlGroup, Mixed, Process }

/// <summary>Where <c>StandardOutput=</c>/<c>StandardError=</c> go. Journal means the workload's log under voltd.</summary>
public enum OutputKind { Inherit, Null, Journal, Append, Truncate }

/// <summary>An output target: its kind, and the file for <c>append:</c>/<c>truncate:</c>.</summary>
public sealed record UnitOutput(OutputKind Kind, string? Path = null);

/// <summary><c>EnvironmentFile=</c>: a file of assignments; <c>-</c> makes a missing file no error.</summary>
public sealed record UnitEnvironmentFile(string Path, bool Optional);
