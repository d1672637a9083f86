using Volt.Workloads.Containers;

namespace Volt.Workloads.Nspawn;

/// <summary>How the container's stdio is wired.</summary>
public enum ConsoleMode
{
    /// <summary><c>--pipe</c>: stdin/stdout/stderr passed through as they are (detached runs, piped <c>volt run</c>).</summary>
    Pipe,
    /// <summary><c>--console=interactive</c>: a real TTY for <c>volt run -it</c>.</summary>
    Interactive,
}

/// <summary>
/// Builds the one systemd-nspawn command line a container runs with; voltd executes it and the systemd unit
/// renders it into <c>ExecStart=</c>, so both supervisors run the same thing.
/// </summary>
public static class NspawnCommand
{
    public const string DefaultBinary = "/usr/bin/systemd-nspawn";

    /// <summary>Commands that are an init and may run as PID 1 without nspawn's stub init.</summary>
    private static readonly string[] Inits = ["init", "systemd", "tini", "dumb-init"];

    public static string Binary =>
        File.Exists(DefaultBinary) ? DefaultBinary
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "systemd-nspawn")).FirstOrDefault(File.Exists)
          ?? DefaultBinary;

    /// <param name="user">
    /// A non-root <c>--user</c> switched by Volt's helper (see <see cref="Runtime.UserSwitch"/>) instead of nspawn's
    /// <c>--user=</c>: the helper's host file and the command's resolved path inside the container.
    /// </param>
    public static IReadOnlyList<string> Build(ContainerConfig c, string rootfs, ConsoleMode console = ConsoleMode.Pipe,
        (Runtime.UserSwitch User, string Helper, string Command)? user = null)
    {
        var args = new List<string>
        {
            Binary,
            // Without both, nspawn asks systemd-machined over D-Bus and fails where systemd is not PID 1.
            "--register=no", "--keep-unit", "--quiet",
            "-D", rootfs,
            "-M", c.Name,
            // The network attacher adds a veth to this namespace after start; no network = loopback only.
            "--private-network",
        };
        // Without idmapped mounts (systemd 252) nspawn chowns the whole overlay on first start, i.e. copies every image
        // file into the upper dir: opt-in only (docs/decisions.md). Create refuses it together with volumes or networks.
        if (c.Userns == UserNamespace.Private) args.Add("--private-users=pick");
        var command = c.Command.Count > 0 ? c.Command : ["/bin/sh"];
        if (!RunsInit(c)) args.Add("--as-pid2");
        foreach (var v in c.Volumes) args.Add($"{(v.ReadOnly ? "--bind-ro" : "--bind")}={v.Host}:{v.Container}");
        foreach (var e in c.Env) args.Add("--setenv=" + e);
        if (c.Workdir is { Length: > 0 } w) args.Add("--chdir=" + w);
        if (user is { } sw)
        {
            args.Add($"--bind-ro={sw.Helper}:{Runtime.UserSwitch.ContainerPath}");
            if (!c.Env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))) args.Add("--setenv=HOME=" + sw.User.Home);
        }
        else if (c.User is { Length: > 0 } u) args.Add("--user=" + u);
        args.Add(console == ConsoleMode.Interactive ? "--console=interactive" : "--pipe");
        args.Add("--");
        if (user is { } with) args.AddRange([Runtime.UserSwitch.ContainerPath, with.Command, .. command.Skip(1)]);
        else args.AddRange(command);
        return args;
    }

    /// <summary>Whether the container's command is an init (PID 1 itself; systemd inside wants its own cgroup subtree).</summary>
    public static bool RunsInit(ContainerConfig c) =>
        c.Init || Inits.Contains(Path.GetFileName(c.Command.Count > 0 ? c.Command[0] : "/bin/sh"));

    /// <summary>Whether a process's /proc cmdline is the nspawn of this container (for re-adoption after a restart).</summary>
    public static bool Matches(IReadOnlyList<string> cmdline, string name, string rootfs)
    {
        if (cmdline.Count < 4 || Path.GetFileName(cmdline[0]) != "systemd-nspawn") return false;
        var d = IndexOf(cmdline, "-D");
        var m = IndexOf(cmdline, "-M");
        return d >= 0 && m >= 0 && cmdline[d + 1] == rootfs && cmdline[m + 1] == name;
    }

    private static int IndexOf(IReadOnlyList<string> args, string flag)
    {
        for (var i = 0; i < args.Count - 1; i++)
            if (args[i] == flag) return i;
        return -1;
    }
}
