namespace Volt.Core.Errors;

/// <summary>Process exit codes, exactly as the seed's "Exit Codes" table defines them.</summary>
public enum ExitCode
{
    Ok = 0,
    General = 1,
    Usage = 2,
    NotFound = 3,
    AlreadyExists = 4,
    Permission = 5,
    Daemon = 6,
    Timeout = 7,
    Network = 8,
    Conflict = 9,
    Dependency = 10,
    Resource = 11,
    InvalidConfig = 12,
    Interrupted = 13,
}

/// <summary>Seed names (<c>ERR_NOT_FOUND</c> …) for JSON error output and docs.</summary>
public static class ExitCodeNames
{
    public static string Name(this ExitCode code) => code switch
    {
        ExitCode.Ok => "OK",
        ExitCode.General => "ERR_GENERAL",
        ExitCode.Usage => "ERR_USAGE",
        ExitCode.NotFound => "ERR_NOT_FOUND",
        ExitCode.AlreadyExists => "ERR_ALREADY_EXISTS",
        ExitCode.Permission => "ERR_PERMISSION",
        ExitCode.Daemon => "ERR_DAEMON",
        ExitCode.Timeout => "ERR_TIMEOUT",
        ExitCode.Network => "ERR_NETWORK",
        ExitCode.Conflict => "ERR_CONFLICT",
        ExitCode.Dependency => "ERR_DEPENDENCY",
        ExitCode.Resource => "ERR_RESOURCE",
        ExitCode.InvalidConfig => "ERR_INVALID_CONFIG",
        ExitCode.Interrupted => "ERR_INTERRUPTED",
        _ => "ERR_GENERAL",
    };
}
