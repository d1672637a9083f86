using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Security;

namespace Volt.Daemon;

/// <summary>
/// voltd's socket is <c>root:volt 0660</c> (seed, docs/security.md): the kernel admits root and the group, voltd then
/// checks each request against <see cref="AccessRules"/>. Without the group the socket stays root's (<c>0600</c>) and
/// voltd says so; a group named in config.yaml that the host lacks is refused (exit 12).
/// </summary>
public static partial class DaemonSocket
{
    public static void Secure(string socketPath, string group, bool required, ILogger log)
    {
        var gid = UserDb.GroupId(group);
        if (gid is null)
        {
            if (required) throw new VoltException(ExitCode.InvalidConfig, $"daemon.socket_group \"{group}\": this host has no such group (groupadd --system {group})");
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            LogNoGroup(log, socketPath, group);
            return;
        }
        // Only root can give a file to another group; a voltd under a test's own uid keeps its group.
        if (Posix.IsRoot) Posix.Chown(socketPath, 0, gid.Value);
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }

    /// <summary>
    /// Workload logs are root's and group volt's (docs/security.md): <c>/var/log/volt/workloads</c> and its kind
    /// folders become <c>root:volt 2750</c>; setgid gives every log file created in them group volt.
    /// </summary>
    public static void ShareLogs(string workloadLogs, string group)
    {
        if (!Posix.IsRoot || UserDb.GroupId(group) is not { } gid) return;
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;
        Directory.CreateDirectory(workloadLogs);
        foreach (var dir in new[] { workloadLogs }.Concat(Directory.EnumerateDirectories(workloadLogs)))
        {
            Posix.Chown(dir, 0, gid);
            File.SetUnixFileMode(dir, mode);
            foreach (var file in Directory.EnumerateFiles(dir)) Posix.Chown(file, uint.MaxValue, gid);
        }
    }

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning,
        Message = "voltd's socket {Socket} admits root only: this host has no group \"{Group}\" (install.sh creates it: groupadd --system {Group})")]
    private static partial void LogNoGroup(ILogger log, string socket, string group);
}
