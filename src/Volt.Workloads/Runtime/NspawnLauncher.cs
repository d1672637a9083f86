using System.Diagnostics;

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
/// </remarks>
internal static class NspawnLauncher
{
    private const string Script =
        "gate=$1; log=$2; shift 2; while [ \"$1\" != -- ]; do " +
        "case $1 in */tasks) echo 0 > \"$1\" || exit 125;; *) echo $$ > \"$1\" || exit 125;; esac; shift; done; shift; " +
        "if [ \"$gate\" = 1 ]; then read -r go || exit 125; [ \"$go\" = go ] || exit 125; fi; " +
        "if [ -n \"$log\" ]; then exec \"$@\" </dev/null >>\"$log\" 2>&1; else exec \"$@\"; fi";

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
        var psi = new ProcessStartInfo(gated || ownSession ? "setsid" : "/bin/sh") { UseShellExecute = false };
        if (ownSession && !gated) psi.ArgumentList.Add("/bin/sh");
        if (gated)
        {
            psi.ArgumentList.Add("/bin/sh");
            // stdin is the gate; output goes to the log by the script's redirect (these keep .NET from handing over ours).
            psi.RedirectStandardInput = true;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add("volt-start");
        psi.ArgumentList.Add(gated ? "1" : "0");
        psi.ArgumentList.Add(logFile ?? "");
        foreach (var f in joinFiles) psi.ArgumentList.Add(f);
        psi.ArgumentList.Add("--");
        foreach (var a in nspawn) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        if (gated)
        {
            p.StandardOutput.Close();
            p.StandardError.Close();
        }
        return new NspawnLaunch(p, gated);
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
