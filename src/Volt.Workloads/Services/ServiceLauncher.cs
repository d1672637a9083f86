using Volt.Core.Processes;
using System.Diagnostics;
using System.Globalization;
using Volt.Core.Errors;
using Volt.Units;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Services;

/// <summary>
/// Starts and stops one <see cref="ServiceUnit"/>'s process the way systemd would, for voltd (services) and the task
/// scheduler (a task's oneshot service): ExecStartPre in order (a <c>-</c> prefix ignores a failure), ExecStart,
/// User=/Group= through Volt's user-switch helper, Environment=/EnvironmentFile=, WorkingDirectory=, MemoryMax=/
/// CPUQuota=/TasksMax= in a cgroup of its own, stdout+stderr to the workload's log in the stamped format containers use;
/// stop per KillMode= with SIGTERM, SIGKILL after TimeoutStopSec=, ExecStop= first.
/// </summary>
/// <remarks>
/// The process is Volt's static helper (<c>volt-sandbox --service</c>, src/Volt.Sandbox/Helper), started directly: it
/// takes a session of its own (voltd's restart or hang-up never reaches it), forks the line stamper (before joining the
/// cgroup, so a control-group kill leaves the last lines to be written), joins the cgroup itself, runs the ExecStartPre
/// commands, prints <c>ok</c> on its stdout and <c>exec</c>s ExecStart (applying the sandbox plan in the same process
/// when the command is the helper itself) — same PID from the first instruction, so the PID voltd records is the main
/// process. The <c>ok</c> line is how a start knows ExecStartPre succeeded (systemd's start also returns only then).
/// It replaced <c>setsid</c> + a <c>bash</c> wrapper script (two execs and a shell's start-up per start; docs/decisions.md s9).
/// </remarks>
/// <param name="lib">Volt's <c>/var/lib/volt</c>: where the helper is written (<see cref="Volt.Sandbox.SandboxHelper.Ensure"/>).</param>
public sealed class ServiceLauncher(ICgroupDriver cgroups, string lib, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ICgroupDriver Cgroups => cgroups;

    /// <summary>systemd's TimeoutStopSec= default.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Runs ExecStartPre, then starts ExecStart; returns once ExecStart has been exec'd. A failed ExecStartPre (or a
    /// WorkingDirectory= that cannot be entered) throws with its exit code after the helper has exited.
    /// </summary>
    /// <param name="spawned">Told the process's PID and start time as soon as it exists (before ExecStartPre= ran):
    /// the PID stays the main process's through the helper's exec.</param>
    public async Task<ServiceProcess> StartAsync(ServiceUnit unit, ServiceLaunch launch, CancellationToken ct = default, Action<int, long?>? spawned = null)
    {
        if (unit.ExecStart.Count == 0) throw new VoltException(ExitCode.InvalidConfig, $"service \"{launch.Name}\" has no ExecStart=");
        // A oneshot's earlier ExecStart= lines run in order like ExecStartPre=; the last one is exec'd.
        var (p, ruleset) = Spawn(unit, launch, [.. unit.ExecStartPre, .. unit.ExecStart.SkipLast(1)], unit.ExecStart[^1], new Dictionary<string, string>(), fresh: true);
        var started = _time.GetUtcNow();
        var startTime = ProcessIdentity.StartTime(p.Id);
        spawned?.Invoke(p.Id, startTime);
        string? line;
        // The helper has its copy of the ruleset by its "ok" (or it exited): the lease ends with the read.
        using (ruleset) line = await p.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false);
        if (line == "ok")
        {
            p.StandardOutput.Close();
            return ServiceProcess.OfChild(p, startTime, launch.Cgroup, started);
        }
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        var code = p.ExitCode;
        p.Dispose();
        throw new VoltException(ExitCode.General, code == 200
            ? $"service \"{launch.Name}\" did not start: WorkingDirectory={unit.WorkingDirectory} cannot be entered"
            : $"service \"{launch.Name}\" did not start: ExecStartPre failed with exit code {code} (see its log)");
    }

    /// <summary>
    /// Stops <paramref name="process"/>: ExecStop= (with <c>$MAINPID</c>), then SIGTERM per KillMode= (control-group:
    /// every process in its cgroup; mixed and process: the main process), then after the timeout SIGKILL (process: the
    /// main process only; otherwise the whole group). Returns when the main process is gone (and, but for KillMode=process,
    /// the group is empty).
    /// </summary>
    public async Task StopAsync(ServiceProcess process, ServiceUnit unit, ServiceLaunch launch, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var limit = timeout ?? unit.TimeoutStopSec ?? DefaultStopTimeout;
        var clock = Stopwatch.StartNew();
        TimeSpan Left() => limit - clock.Elapsed > TimeSpan.Zero ? limit - clock.Elapsed : TimeSpan.Zero;
        if (unit.ExecStop.Count > 0 && !process.HasExited)
        {
            var (stop, ruleset) = Spawn(unit, launch, unit.ExecStop, null,
                new Dictionary<string, string> { ["MAINPID"] = process.Pid.ToString(CultureInfo.InvariantCulture) }, fresh: false);
            stop.StandardOutput.Close();
            try { await stop.WaitForExitAsync(ct).WaitAsync(Left(), ct).ConfigureAwait(false); }
            catch (TimeoutException) { Native.Kill(stop.Id, Native.SIGKILL); }
            finally
            {
                stop.Dispose();
                ruleset?.Dispose();
            }
            await Task.WhenAny(process.Exited, Task.Delay(TimeSpan.FromMilliseconds(50), ct)).ConfigureAwait(false);
        }
        var group = unit.KillMode != Volt.Units.KillMode.Process;
        if (unit.KillMode == Volt.Units.KillMode.ControlGroup) Signal(process, Native.SIGTERM, wholeGroup: true);
        else Native.Kill(process.Pid, Native.SIGTERM);
        if (await WaitGoneAsync(process, group && unit.KillMode == Volt.Units.KillMode.ControlGroup, Left(), ct).ConfigureAwait(false)) return;
        Signal(process, Native.SIGKILL, wholeGroup: group);
        await WaitGoneAsync(process, group, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
    }

    /// <summary>Kills what is left in the cgroup (after the main process exited) and removes the group.</summary>
    public async Task CleanupAsync(string cgroup, CancellationToken ct = default)
    {
        for (var i = 0; i < 200 && cgroups.Exists(cgroup); i++)
        {
            var pids = cgroups.Pids(cgroup);
            if (pids.Count == 0) break;
            foreach (var pid in pids) Native.Kill(pid, Native.SIGKILL);
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
        try { cgroups.Delete(cgroup); } catch (IOException) { /* a KillMode=process leftover still runs in it */ }
    }

    private void Signal(ServiceProcess process, int signal, bool wholeGroup)
    {
        Native.Kill(process.Pid, signal);
        if (wholeGroup && cgroups.Exists(process.Cgroup))
            foreach (var pid in cgroups.Pids(process.Cgroup)) if (pid != process.Pid) Native.Kill(pid, signal);
    }

    private async Task<bool> WaitGoneAsync(ServiceProcess process, bool andGroup, TimeSpan within, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try { await process.Exited.WaitAsync(within, ct).ConfigureAwait(false); }
        catch (TimeoutException) { return false; }
        while (andGroup && cgroups.Exists(process.Cgroup) && cgroups.Pids(process.Cgroup).Count > 0)
        {
            if (clock.Elapsed >= within) return false;
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
        return true;
    }

    /// <returns>The helper and the lease on the Landlock ruleset it takes a copy of (null: it builds its own).</returns>
    private (Process Process, IDisposable? Ruleset) Spawn(ServiceUnit unit, ServiceLaunch launch, IReadOnlyList<UnitCommand> pre, UnitCommand? main,
        Dictionary<string, string> extra, bool fresh)
    {
        var userSpec = unit.User is null ? null : unit.Group is null ? unit.User : unit.User + ":" + unit.Group;
        var user = UserSwitch.Resolve(userSpec, "/");
        string? helper = null;
        if (user is not null)
        {
            Directory.CreateDirectory(launch.StateDir);
            helper = Path.Combine(launch.StateDir, "user-switch");
            user.WriteHelper(helper);
        }
        // The sandbox helper goes after the user switch (it needs no privilege: no_new_privs first) and before the command.
        // Without a user switch it runs as voltd's user and can take voltd's prebuilt ruleset (pidfd_getfd needs the
        // right to trace voltd, which a switched user has not).
        IDisposable? ruleset = null;
        var wrap = launch.Sandbox?.Wrap(launch.StateDir, Volt.Sandbox.Planning.SandboxKind.Service, handOver: helper is null, out ruleset) ?? [];
        if (launch.ExtraEnvironment is not null) foreach (var (k, v) in launch.ExtraEnvironment) extra.TryAdd(k, v);
        var env = ServiceEnvironment.Build(unit, user, unit.User, extra);
        // voltd shares one group in the controller-less hierarchies (hybrid v1: name=systemd, unified): a service needs
        // no group of its own there (nspawn's helper groups are for containers), and skipping the unified join skips
        // the kernel's global threadgroup lock and its RCU grace period (5-20 ms here) on every start.
        var bookkeeping = !cgroups.SharesBookkeeping;
        if (fresh)
        {
            cgroups.Delete(launch.Cgroup);
            cgroups.Create(launch.Cgroup, bookkeeping);
            // A group made just now has the kernel's defaults (no memory, CPU or task limit): a unit without limits
            // writes nothing (four writes of "no limit" per start before).
            if (unit.MemoryMax is not null || unit.CpuQuotaPercent is not null || unit.TasksMax is not null)
                cgroups.Apply(launch.Cgroup, new ResourceLimits(unit.MemoryMax, unit.CpuQuotaPercent, unit.TasksMax));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(launch.LogFile)!);

        var program = Volt.Sandbox.SandboxHelper.Ensure(lib);
        var args = new List<string> { "--service", launch.LogFile, unit.WorkingDirectory ?? "" };
        args.AddRange(cgroups.Exists(launch.Cgroup) ? cgroups.JoinFiles(launch.Cgroup, bookkeeping) : []);
        args.Add("--");
        foreach (var c in pre)
        {
            var argv = Argv(c, helper, wrap);
            args.Add("pre");
            args.Add(c.IgnoreFailure ? "1" : "0");
            args.Add(argv.Count.ToString(CultureInfo.InvariantCulture));
            args.AddRange(argv);
        }
        args.Add("--");
        if (main is not null) args.AddRange(Argv(main, helper, wrap));
        // stdout: the helper's "ok" handshake (read by StartAsync); it moves stderr to the log at once, what it says
        // before that (the session or the log could not be had) is read and dropped.
        try
        {
            var started = ProcessLauncher.Start(new ProcessSpec(program, args)
            {
                ClearEnvironment = true,
                Environment = env.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal),
                Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Pipe, Stderr = ProcessOutput.Capture,
            });
            return (started.Process, ruleset);
        }
        catch
        {
            ruleset?.Dispose();
            throw;
        }
    }

    private static List<string> Argv(UnitCommand c, string? helper, IReadOnlyList<string> wrap) =>
        helper is null ? [.. wrap, c.Path, .. c.Args] : [helper, .. wrap, c.Path, .. c.Args];
}
