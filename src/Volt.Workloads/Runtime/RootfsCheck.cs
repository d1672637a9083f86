using Volt.Core.Errors;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

/// <summary>
/// What is checked and made in a container's mounted rootfs before nspawn runs: the <c>/usr</c> directory nspawn insists
/// on (made in the container's upper dir when the image has none), and the command, resolved as the kernel and a shell
/// would (symlinks inside the rootfs, <c>$PATH</c>), so a missing one is exit 127 and a non-executable one 126, as in
/// podman and shells, instead of nspawn's exit 1.
/// </summary>
public static class RootfsCheck
{
    /// <summary>The shell's (and podman's) "command not found".</summary>
    public const ExitCode CommandNotFound = (ExitCode)127;
    /// <summary>The shell's (and podman's) "found but cannot be executed".</summary>
    public const ExitCode CommandNotExecutable = (ExitCode)126;

    internal const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Makes /usr if missing and checks the command; returns the command's path inside the container.</summary>
    public static string Prepare(ContainerConfig c, string rootfs)
    {
        // nspawn refuses a directory without /usr ("doesn't look like it has an OS tree"); an empty one satisfies it.
        var usr = Path.Combine(rootfs, "usr");
        if (!Path.Exists(usr) && new FileInfo(usr).LinkTarget is null) Directory.CreateDirectory(usr);
        // A /usr that is there but is no directory (a file, a dangling link) is refused here, in words, before nspawn
        // runs: nspawn's own refusal of it raced the start's PID-1 wait under load (a run -d that said 0).
        else if (Resolve(rootfs, "/usr") is not { } dir || !Directory.Exists(dir))
            throw new VoltException(ExitCode.General, "the container's /usr is not a directory: systemd-nspawn needs an OS tree (a /usr directory) to start it");
        return CheckCommand(c, rootfs);
    }

    /// <summary>
    /// Throws exit 127 / 126 when the container's command is missing / not executable in <paramref name="rootfs"/>;
    /// returns its path inside the container (found through <c>$PATH</c> for a bare name).
    /// </summary>
    public static string CheckCommand(ContainerConfig c, string rootfs)
    {
        var cmd = c.Command.Count > 0 ? c.Command[0] : "/bin/sh";
        if (cmd.Length == 0) throw new VoltException(CommandNotFound, "the container's command is empty");
        if (cmd.Contains('/'))
        {
            var path = cmd.StartsWith('/') ? cmd : Path.Combine(c.Workdir ?? "/", cmd);
            if (OnVolume(c, path)) return path;
            switch (Kind(Resolve(rootfs, path)))
            {
                case Found.Executable: return path;
                case Found.Missing: throw new VoltException(CommandNotFound, $"{cmd}: no such file or directory in the container");
                default: throw new VoltException(CommandNotExecutable, $"{cmd}: permission denied (not an executable file in the container)");
            }
        }
        var search = c.Env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        var present = false;
        foreach (var dir in search.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = dir.TrimEnd('/') + "/" + cmd;
            if (OnVolume(c, path)) return path;
            var kind = Kind(Resolve(rootfs, path));
            if (kind == Found.Executable) return path;
            present |= kind == Found.NotExecutable;
        }
        throw present
            ? new VoltException(CommandNotExecutable, $"{cmd}: permission denied (not an executable file in the container's $PATH)")
            : new VoltException(CommandNotFound, $"{cmd}: executable file not found in the container's $PATH ({search})");
    }

    private enum Found { Missing, NotExecutable, Executable }

    private static Found Kind(string? host)
    {
        if (host is null || !Path.Exists(host)) return Found.Missing;
        if (Directory.Exists(host)) return Found.NotExecutable;
        const UnixFileMode anyX = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(host) & anyX) != 0 ? Found.Executable : Found.NotExecutable;
    }

    /// <summary>Volumes are bound by nspawn later: a command on one cannot be checked here.</summary>
    private static bool OnVolume(ContainerConfig c, string path) =>
        c.Volumes.Any(v => path == v.Container || path.StartsWith(v.Container.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>
    /// The host path of container path <paramref name="path"/>, following symlinks as the container sees them (absolute
    /// targets start again at the rootfs, <c>..</c> stops at it); null when a component is missing.
    /// </summary>
    internal static string? Resolve(string rootfs, string path)
    {
        var todo = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var parts = new List<string>();
        for (var links = 0; todo.Count > 0;)
        {
            var part = todo.Pop();
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            var host = Path.Combine([rootfs, .. parts, part]);
            FileSystemInfo info = new FileInfo(host);
            if (!info.Exists && !Directory.Exists(host) && info.LinkTarget is null) return null;
            if (info.LinkTarget is { } target)
            {
                if (++links > 40) return null;
                if (target.StartsWith('/')) parts.Clear();
                foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) todo.Push(t);
                continue;
            }
            parts.Add(part);
        }
        return Path.Combine([rootfs, .. parts]);
    }
}
