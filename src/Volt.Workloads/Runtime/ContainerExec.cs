using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

/// <summary>What <c>volt exec</c> runs and how (podman's <c>exec -i -t -u -e -w -d</c>).</summary>
/// <param name="User">NAME, UID, NAME:GROUP or UID:GID, looked up in the container's /etc/passwd and /etc/group.</param>
/// <param name="Env">K=V (or K: the caller's value) on top of the container's environment.</param>
/// <param name="Workdir">Working directory inside the container (default: the container's).</param>
/// <param name="Detach">Start in the background and return at once (output discarded).</param>
/// <param name="Interactive">Keep stdin open (with <paramref name="Tty"/>: relayed to the terminal).</param>
/// <param name="Tty">A real terminal: a pty from the container's own devpts, the process its session leader.</param>
public sealed record ExecOptions(IReadOnlyList<string> Command, string? User = null, IReadOnlyList<string>? Env = null,
    string? Workdir = null, bool Detach = false, bool Interactive = true, bool Tty = false);

/// <summary>
/// <c>volt container exec</c>: <c>nsenter --all</c> into the namespaces (mount, PID, network, UTS, IPC, user, cgroup) of
/// the container's PID 1, with the container's environment, stdio passed through; returns the child's exit code.
/// </summary>
public static class ContainerExec
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // Detached: its own session, stdio on /dev/null, the shell gone before we return.
    private const string DetachScript = "setsid \"$@\" </dev/null >/dev/null 2>&1 & echo $!";
    // Terminal: the pty's slave as stdio; setsid -c makes it the new session's controlling terminal.
    private const string TtyScript = "s=$1; shift; exec setsid -w -c \"$@\" <\"$s\" >\"$s\" 2>&1";

    public static Task<int> RunAsync(ContainerEngine engine, string name, IReadOnlyList<string> command, CancellationToken ct) =>
        RunAsync(engine, name, new ExecOptions(command), ct);

    public static async Task<int> RunAsync(ContainerEngine engine, string name, ExecOptions o, CancellationToken ct)
    {
        var (root, nsenter, env) = await PrepareAsync(engine, name, o, ct).ConfigureAwait(false);
        if (o.Detach) return await StartDetachedAsync(nsenter, env, ct).ConfigureAwait(false);
        if (o.Tty) return await RunOnTerminalAsync(root, nsenter, env, o.Interactive, ct).ConfigureAwait(false);

        using var p = ProcessLauncher.Start(Spec(nsenter[0], nsenter.Skip(1), env) with { Stdin = o.Interactive ? ProcessInput.Inherit : ProcessInput.Closed });
        return await p.WaitForExitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The <c>nsenter</c> command into the running container's namespaces with its environment (exit 9 when it is not
    /// running), not started: the health check runs it with its output captured.
    /// </summary>
    public static async Task<ProcessSpec> SpecAsync(ContainerEngine engine, string name, IReadOnlyList<string> command, CancellationToken ct)
    {
        var (_, nsenter, env) = await PrepareAsync(engine, name, new ExecOptions(command), ct).ConfigureAwait(false);
        return Spec(nsenter[0], nsenter.Skip(1), env);
    }

    private static async Task<(string Root, List<string> Nsenter, Dictionary<string, string> Env)> PrepareAsync(
        ContainerEngine engine, string name, ExecOptions o, CancellationToken ct)
    {
        engine.Records.EnsureExists(name);
        if (o.Command.Count == 0) throw VoltException.Usage("exec needs a command");
        var init = await engine.WaitInitPidAsync(name, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false) ?? throw VoltException.Conflict($"container \"{name}\" is not running");
        var config = engine.Records.Config(name);
        var root = $"/proc/{init.ToString(CultureInfo.InvariantCulture)}/root";
        var user = o.User is { } spec ? ExecUser.Resolve(spec, root) : null;

        var nsenter = new List<string> { "nsenter", "-t", init.ToString(CultureInfo.InvariantCulture), "--all" };
        // nsenter opens --wd's directory before it enters the namespaces: name it through the container's root.
        if ((o.Workdir ?? config.Workdir) is { } w) nsenter.Add("--wd=" + root + "/" + w.TrimStart('/'));
        if (user is not null) nsenter.AddRange(["-S", user.Uid.ToString(CultureInfo.InvariantCulture), "-G", user.Gid.ToString(CultureInfo.InvariantCulture)]);
        nsenter.Add("--");
        nsenter.AddRange(o.Command);
        return (root, nsenter, Environment(config, o, user));
    }

    private static Dictionary<string, string> Environment(ContainerConfig config, ExecOptions o, ExecUser? user)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOME"] = user?.Home ?? "/root",
        };
        if (System.Environment.GetEnvironmentVariable("TERM") is { } term) env["TERM"] = term;
        else if (o.Tty) env["TERM"] = "xterm";
        foreach (var e in config.Env) { var i = e.IndexOf('='); env[e[..i]] = e[(i + 1)..]; }
        foreach (var e in o.Env ?? [])
        {
            var i = e.IndexOf('=');
            var key = i < 0 ? e : e[..i];
            if (key.Length == 0) throw VoltException.Usage($"invalid --env \"{e}\": expected KEY=VALUE or KEY");
            if (i >= 0) env[key] = e[(i + 1)..];
            else if (System.Environment.GetEnvironmentVariable(key) is { } v) env[key] = v;
        }
        return env;
    }

    /// <summary>The process (not started): only the container's environment; exit 10 naming util-linux when nsenter is missing.</summary>
    private static ProcessSpec Spec(string file, IEnumerable<string> args, Dictionary<string, string> env) =>
        new(file, [.. args])
        {
            ClearEnvironment = true, Environment = env.ToDictionary(e => e.Key, string? (e) => e.Value, StringComparer.Ordinal),
            MissingHint = "package util-linux",
        };

    private static async Task<int> StartDetachedAsync(List<string> nsenter, Dictionary<string, string> env, CancellationToken ct)
    {
        using var p = ProcessLauncher.Start(Spec("/bin/sh", ["-c", DetachScript, "volt-exec", .. nsenter], env) with
        {
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Capture,
        });
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        var pid = p.StdOut.Trim();
        if (p.ExitCode != 0 || !int.TryParse(pid, CultureInfo.InvariantCulture, out _))
            throw new VoltException(ExitCode.General, "exec -d: the background start failed");
        return 0;
    }

    private static async Task<int> RunOnTerminalAsync(string root, List<string> nsenter, Dictionary<string, string> env, bool interactive, CancellationToken ct)
    {
        using var pty = Pty.OpenIn(root + "/dev/pts");
        // The script puts the slave on all three; closed pipes keep .NET from handing ours (and its terminal care) over.
        using var p = ProcessLauncher.Start(Spec("/bin/sh", ["-c", TtyScript, "volt-exec", pty.SlavePath, .. nsenter], env) with
        {
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Closed, Stderr = ProcessOutput.Closed,
        });
        using var relay = new PtyRelay(pty, interactive);
        try { await p.WaitForExitAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            p.Signal(Core.Native.Signals.SIGKILL);
            throw;
        }
        relay.Drain();
        return p.ExitCode;
    }
}
