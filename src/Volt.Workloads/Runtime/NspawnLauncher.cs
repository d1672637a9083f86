using System.Diagnostics;

namespace Volt.Workloads.Runtime;

/// <summary>
/// Starts systemd-nspawn so that every process it makes is in the container's cgroups from the first instruction:
/// a tiny <c>sh</c> writes its own PID into each <c>cgroup.procs</c>, then <c>exec</c>s nspawn (same PID). Detached
/// starts run under <c>setsid</c> (own session: a voltd restart or a terminal hang-up does not reach them) with stdio on
/// the log file, so nothing ties the container to voltd's lifetime.
/// </summary>
internal static class NspawnLauncher
{
    private const string Script =
        "log=$1; shift; while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; " +
        "if [ -n \"$log\" ]; then exec \"$@\" </dev/null >>\"$log\" 2>&1; else exec \"$@\"; fi";

    /// <summary>Starts nspawn; the returned process's PID is nspawn's.</summary>
    public static Process Start(IReadOnlyList<string> nspawn, IReadOnlyList<string> procsFiles, string? logFile)
    {
        var psi = new ProcessStartInfo(logFile is null ? "/bin/sh" : "setsid") { UseShellExecute = false };
        if (logFile is not null)
        {
            psi.ArgumentList.Add("/bin/sh");
            // Output goes to the log by the script's redirect; these only keep .NET from handing over our own stdio.
            psi.RedirectStandardInput = true;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add("volt-start");
        psi.ArgumentList.Add(logFile ?? "");
        foreach (var f in procsFiles) psi.ArgumentList.Add(f);
        psi.ArgumentList.Add("--");
        foreach (var a in nspawn) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        if (logFile is not null)
        {
            p.StandardInput.Close();
            p.StandardOutput.Close();
            p.StandardError.Close();
        }
        return p;
    }
}
