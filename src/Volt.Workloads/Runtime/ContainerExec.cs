using System.Diagnostics;
using Volt.Core.Errors;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

/// <summary>
/// <c>volt container exec</c>: <c>nsenter --all</c> into the namespaces (mount, PID, network, UTS, IPC, user, cgroup) of
/// the container's PID 1, with the container's environment, stdio passed through; returns the child's exit code.
/// </summary>
public static class ContainerExec
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static async Task<int> RunAsync(ContainerEngine engine, string name, IReadOnlyList<string> command, CancellationToken ct)
    {
        var psi = await StartInfoAsync(engine, name, command, ct).ConfigureAwait(false);
        using var p = Start(psi);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return p.ExitCode;
    }

    /// <summary>
    /// The <c>nsenter</c> command into the running container's namespaces with its environment (exit 9 when it is not
    /// running): exec runs it with our stdio, the health check with its output captured.
    /// </summary>
    public static async Task<ProcessStartInfo> StartInfoAsync(ContainerEngine engine, string name, IReadOnlyList<string> command, CancellationToken ct)
    {
        engine.Records.EnsureExists(name);
        if (command.Count == 0) throw VoltException.Usage("exec needs a command");
        var init = await engine.WaitInitPidAsync(name, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false) ?? throw VoltException.Conflict($"container \"{name}\" is not running");
        var config = engine.Records.Config(name);
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false };
        foreach (var a in new[] { "-t", init.ToString(System.Globalization.CultureInfo.InvariantCulture), "--all" }) psi.ArgumentList.Add(a);
        if (config.Workdir is { } w) psi.ArgumentList.Add("--wd=" + w);
        psi.ArgumentList.Add("--");
        foreach (var a in command) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = DefaultPath;
        psi.Environment["HOME"] = "/root";
        if (Environment.GetEnvironmentVariable("TERM") is { } term) psi.Environment["TERM"] = term;
        foreach (var e in config.Env) { var i = e.IndexOf('='); psi.Environment[e[..i]] = e[(i + 1)..]; }
        return psi;
    }

    public static Process Start(ProcessStartInfo psi)
    {
        try { return Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new VoltException(ExitCode.Dependency, $"Failed running nsenter: {e.Message} (package util-linux)", e); }
    }
}
