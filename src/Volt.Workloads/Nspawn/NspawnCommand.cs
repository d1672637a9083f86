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
    /// <param name="netns">The network namespace file of a networked container (<c>--network-namespace-path=</c>).</param>
    /// <param name="envInSettings">
    /// True for containers: the environment is in the container's <see cref="NspawnSettings"/> file (0600), not on the
    /// command line (world-readable in /proc and in the unit). A <c>--setenv</c> here would make nspawn ignore that
    /// file's environment, so none is added (a switched user's HOME goes into the file too: <see cref="LaunchEnv"/>).
    /// </param>
    public static IReadOnlyList<string> Build(ContainerConfig c, string rootfs, ConsoleMode console = ConsoleMode.Pipe,
        (Runtime.UserSwitch User, string Helper, string Command)? user = null, (string Helper, string Plan)? sandbox = null,
        bool envInSettings = false, string? netns = null)
    {
        var args = new List<string>
        {
            Binary,
            // Without both, nspawn asks systemd-machined over D-Bus and fails where systemd is not PID 1.
            "--register=no", "--keep-unit", "--quiet",
            "-D", rootfs,
            "-M", c.Name,
        };
        // A networked container joins the namespace the network attacher made and wired before the start; without a
        // network, loopback only.
        args.Add(netns is null ? "--private-network" : "--network-namespace-path=" + netns);
        // In a namespace of its own that nspawn did not make, nspawn's "auto" would copy the host's resolv.conf over the
        // one the attacher wrote (volt-dns on the gateway).
        if (netns is not null) args.Add("--resolv-conf=off");
        // Without idmapped mounts (systemd 252) nspawn chowns the whole overlay on first start, i.e. copies every image
        // file into the upper dir: opt-in only (docs/decisions.md). Create refuses it together with volumes or networks.
        if (c.Userns == UserNamespace.Private) args.Add("--private-users=pick");
        var command = c.Command.Count > 0 ? c.Command : ["/bin/sh"];
        if (!RunsInit(c)) args.Add("--as-pid2");
        foreach (var v in c.Volumes) args.Add($"{(v.ReadOnly ? "--bind-ro" : "--bind")}={v.Host}:{v.Container}");
        foreach (var t in c.Tmpfs) args.Add("--tmpfs=" + t);
        if (!envInSettings) foreach (var e in c.Env) args.Add("--setenv=" + e);
        if (c.Workdir is { Length: > 0 } w) args.Add("--chdir=" + w);
        if (user is { } sw)
        {
            args.Add($"--bind-ro={sw.Helper}:{Runtime.UserSwitch.ContainerPath}");
            if (!envInSettings && LaunchEnv(c, sw.User) is [var home]) args.Add("--setenv=" + home);
        }
        else if (c.User is { Length: > 0 } u) args.Add("--user=" + u);
        // The sandbox helper runs inside, after nspawn's setup, and execs the payload restricted (docs/sandbox.md).
        string[] wrap = sandbox is { } sb ? [Volt.Sandbox.SandboxHelper.ContainerPath, Volt.Sandbox.SandboxHelper.ContainerPlanPath] : [];
        if (sandbox is { } s)
        {
            args.Add($"--bind-ro={s.Helper}:{wrap[0]}");
            args.Add($"--bind-ro={s.Plan}:{wrap[1]}");
            // nspawn's own syscall allow list lacks Landlock (ENOSYS inside): add the three calls the helper makes.
            args.Add("--system-call-filter=landlock_create_ruleset landlock_add_rule landlock_restrict_self");
        }
        args.Add(console == ConsoleMode.Interactive ? "--console=interactive" : "--pipe");
        args.Add("--");
        if (user is { } with) args.AddRange([Runtime.UserSwitch.ContainerPath, .. wrap, with.Command, .. command.Skip(1)]);
        else args.AddRange([.. wrap, .. command]);
        return args;
    }

    /// <summary>What the launcher adds to the environment: a switched user's HOME unless the config sets one.</summary>
    public static IReadOnlyList<string> LaunchEnv(ContainerConfig c, Runtime.UserSwitch? user) =>
        user is not null && !c.Env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)) ? ["HOME=" + user.Home] : [];

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
