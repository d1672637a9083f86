using System.Diagnostics;
using Volt.Core.Processes;

namespace Volt.Workloads.Runtime;

/// <summary>
/// Starts systemd-nspawn so that every process it makes is in the container's cgroups from the first instruction:
/// a tiny <c>sh</c> joins each group itself (see <see cref="Cgroups.ICgroupDriver.JoinFiles"/>), then <c>exec</c>s
/// nspawn (same PID). Detached starts run under <c>setsid</c> (own session: a voltd restart or a terminal hang-up does
/// not reach them) with stdio on the log file, so nothing ties the container to voltd's lifetime.
/// </summary>
/// <remarks>
/// A detached start is <em>gated</em>: the shell joins the cgroups, then waits for one line on its stdin before it
/// execs nspawn. Joining a cgroup v2 (or v1 by PID) takes the kernel's global threadgroup lock, which waits for an RCU
/// grace period (5–20 ms on these VMs); the gate lets that wait overlap with the caller's own work (writing the
/// container's records, mounting its rootfs) instead of adding to it. Closing stdin without the line makes the shell
/// exit with 125 and nspawn never runs.
/// <para>
/// The log writer: a detached start's shell is bash, which first forks a line stamper (a process substitution, before
/// the cgroup joins, so it is not the container's) that appends each output line as <see cref="Logs.LogLine"/>'s
/// <c>TIMESTAMP SP LINE</c> (RFC 3339 UTC, microseconds, from <c>$EPOCHREALTIME</c>: no process per line); nspawn's
/// stdout and stderr are the pipe to it. The stamper ignores SIGTERM/SIGINT/SIGHUP and ends at end of file, when the
/// container's last process is gone.
/// </para>
/// </remarks>
internal static class NspawnLauncher
{
    private static readonly Dictionary<string, string?> GatedEnvironment = new() { ["TZ"] = "UTC0", ["LC_ALL"] = "C" };

    private const string Joins =
        "while [ \"$1\" != -- ]; do " +
        "case $1 in */tasks) echo 0 > \"$1\" || exit 125;; *) echo $$ > \"$1\" || exit 125;; esac; shift; done; shift; ";

    private const string Script =
        "gate=$1; log=$2; shift 2; " + Joins +
        "if [ \"$gate\" = 1 ]; then read -r go || exit 125; [ \"$go\" = go ] || exit 125; fi; " +
        "if [ -n \"$log\" ]; then exec \"$@\" </dev/null >>\"$log\" 2>&1; else exec \"$@\"; fi";

    /// <summary>The detached (gated, logged) variant, for bash: the stamper on fd 3, then as <see cref="Script"/>.</summary>
    private const string LoggedScript =
        "gate=$1; log=$2; shift 2; " +
        "exec 3> >(trap '' INT TERM HUP; while IFS= read -r l || [ -n \"$l\" ]; do t=$EPOCHREALTIME; " +
        "printf '%(%Y-%m-%dT%H:%M:%S)T.%sZ %s\\n' \"${t%.*}\" \"${t#*.}\" \"$l\"; done >>\"$log\") || exit 125; " + Joins +
        "read -r go || exit 125; [ \"$go\" = go ] || exit 125; " +
        "exec \"$@\" </dev/null >&3 2>&1 3>&-";

    /// <summary>
    /// Starts the wrapper; the returned launch's PID becomes nspawn's. With a <paramref name="logFile"/> (detached) the
    /// launch is gated: nothing runs until <see cref="NspawnLaunch.Go"/>.
    /// </summary>
    /// <param name="ownSession">
    /// For a foreground run without a terminal: nspawn in its own session, so a Ctrl-C on the user's terminal reaches
    /// volt only (which forwards it to the payload); nspawn itself kills the container on SIGINT.
    /// </param>
    public static NspawnLaunch Start(IReadOnlyList<string> nspawn, IReadOnlyList<string> joinFiles, string? logFile, bool ownSession = false)
    {
        var gated = logFile is not null;
        var args = new List<string>(nspawn.Count + joinFiles.Count + 8);
        if (ownSession && !gated) args.Add("/bin/sh");
        if (gated) args.Add("/bin/bash");
        args.Add("-c");
        args.Add(gated ? LoggedScript : Script);
        args.Add("volt-start");
        args.Add(gated ? "1" : "0");
        args.Add(logFile ?? "");
        args.AddRange(joinFiles);
        args.Add("--");
        args.AddRange(nspawn);
        var spec = new ProcessSpec(gated || ownSession ? "setsid" : "/bin/sh", args);
        if (gated)
            spec = spec with
            {
                // The stamper's clock: UTC, '.' as the decimal point of $EPOCHREALTIME (nspawn gives the container its own environment).
                Environment = GatedEnvironment,
                // stdin is the gate; output goes to the log by the script's redirect (closed pipes keep .NET from handing over ours).
                Stdin = ProcessInput.Pipe, Stdout = ProcessOutput.Closed, Stderr = ProcessOutput.Closed,
            };
        return new NspawnLaunch(ProcessLauncher.Start(spec).Process, gated);
    }
}

/// <summary>A started wrapper: its process (nspawn's PID once it execs) and, for gated launches, the gate.</summary>
internal sealed class NspawnLaunch(Process process, bool gated)
{
    public Process Process => process;

    /// <summary>Lets a gated wrapper exec nspawn (no-op for ungated ones).</summary>
    public void Go()
    {
        if (!gated) return;
        process.StandardInput.Write("go\n");
        process.StandardInput.Close();
    }

    /// <summary>Closes the gate unopened: the wrapper exits 125 without running nspawn.</summary>
    public void Abort()
    {
        if (!gated) return;
        try { process.StandardInput.Close(); } catch (IOException) { }
    }
}
