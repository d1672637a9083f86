using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Volt.Core.Errors;
using Volt.Core.Native;

namespace Volt.Core.Processes;

/// <summary>
/// The one way Volt starts a process that outlives a single call (nspawn, voltd, <c>exec</c>, health checks, services):
/// the long-running counterpart of the buffered <see cref="IProcessRunner"/>. Nothing else in src/ calls
/// <see cref="Process.Start()"/> (tests/Volt.Core.Tests HouseStyleTests checks).
/// </summary>
public interface IProcessLauncher
{
    RunningProcess Start(ProcessSpec spec);
}

/// <summary><see cref="IProcessLauncher"/> on <see cref="Process"/>: no shell, no extra process, no thread per child.</summary>
public sealed class ProcessLauncher : IProcessLauncher
{
    public static ProcessLauncher Default { get; } = new();

    RunningProcess IProcessLauncher.Start(ProcessSpec spec) => Start(spec);

    /// <summary>Starts <paramref name="spec"/> (exit 10 when its program cannot be run).</summary>
    public static RunningProcess Start(ProcessSpec spec)
    {
        var psi = new ProcessStartInfo(spec.Program) { UseShellExecute = false };
        foreach (var a in spec.Args) psi.ArgumentList.Add(a);
        if (spec.WorkingDirectory is not null) psi.WorkingDirectory = spec.WorkingDirectory;
        if (spec.ClearEnvironment) psi.Environment.Clear();
        if (spec.Environment is not null)
            foreach (var (k, v) in spec.Environment)
            {
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
        psi.RedirectStandardInput = spec.Stdin != ProcessInput.Inherit;
        psi.RedirectStandardOutput = spec.Stdout.Kind != OutputKind.Inherit;
        psi.RedirectStandardError = spec.Stderr.Kind != OutputKind.Inherit;
        if (spec.Stdout.Kind is OutputKind.Capture or OutputKind.Lines) psi.StandardOutputEncoding = Encoding.UTF8;
        if (spec.Stderr.Kind is OutputKind.Capture or OutputKind.Lines) psi.StandardErrorEncoding = Encoding.UTF8;
        Process p;
        try { p = Process.Start(psi) ?? throw new InvalidOperationException($"Process.Start returned null for {spec.Program}"); }
        catch (Win32Exception e)
        {
            throw new VoltException(ExitCode.Dependency, $"Failed running {spec.Program}: {e.Message} ({spec.MissingHint})", e);
        }
        if (spec.Stdin == ProcessInput.Closed) p.StandardInput.Close();
        return new RunningProcess(p, spec.Stdout, spec.Stderr);
    }
}

/// <summary>
/// A started process: its pid, its streams as its <see cref="ProcessSpec"/> wired them, its exit. Disposing releases
/// our handles only; the process goes on (a detached voltd, a container's nspawn): stop it with
/// <see cref="Signal"/>, <see cref="SignalGroup"/> or <see cref="KillTree"/> first when it should not.
/// </summary>
public sealed class RunningProcess : IDisposable, IAsyncDisposable
{
    private readonly Task<string>? _stdout, _stderr;
    private readonly Task? _stdoutPump, _stderrPump;

    internal RunningProcess(Process process, ProcessOutput stdout, ProcessOutput stderr)
    {
        Process = process;
        Pid = process.Id;
        (_stdout, _stdoutPump) = Wire(process.StandardOutputIfRedirected(stdout), stdout);
        (_stderr, _stderrPump) = Wire(process.StandardErrorIfRedirected(stderr), stderr);
    }

    public int Pid { get; }

    /// <summary>The .NET handle, for code that watches the process by it (the container runtime's exit watcher).</summary>
    public Process Process { get; }

    /// <summary>The child's stdin (<see cref="ProcessInput.Pipe"/> only).</summary>
    public StreamWriter StandardInput => Process.StandardInput;

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    /// <summary>Captured stdout (<see cref="ProcessOutput.Capture"/>), complete once <see cref="WaitForExitAsync"/> returned.</summary>
    public string StdOut => _stdout is { IsCompletedSuccessfully: true } t ? t.Result : "";

    /// <summary>Captured stderr (<see cref="ProcessOutput.Capture"/>), complete once <see cref="WaitForExitAsync"/> returned.</summary>
    public string StdErr => _stderr is { IsCompletedSuccessfully: true } t ? t.Result : "";

    /// <summary>Waits for the exit and for the end of captured, streamed or copied output; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken ct = default)
    {
        await Process.WaitForExitAsync(ct).ConfigureAwait(false);
        foreach (var t in new Task?[] { _stdout, _stderr, _stdoutPump, _stderrPump })
            if (t is not null) await t.WaitAsync(ct).ConfigureAwait(false);
        return Process.ExitCode;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the exit (not for output); false when it still runs.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        try { return Process.WaitForExit(timeout); }
        catch (InvalidOperationException) { return true; }
    }

    /// <summary>kill(2) to the process; false when it is gone (or not ours to signal).</summary>
    public bool Signal(int signal) => LibC.kill(Pid, signal) == 0;

    /// <summary>kill(2) to the process group the process leads (it was started under <c>setsid</c>).</summary>
    public bool SignalGroup(int signal) => LibC.kill(-Pid, signal) == 0;

    /// <summary>SIGKILL to the process and every descendant it has now; a process already gone is no error.</summary>
    public void KillTree()
    {
        try { Process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }

    public void Dispose() => Process.Dispose();

    public ValueTask DisposeAsync()
    {
        Process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static (Task<string>? Text, Task? Pump) Wire(StreamReader? reader, ProcessOutput output)
    {
        if (reader is null) return (null, null);
        switch (output.Kind)
        {
            case OutputKind.Closed:
                reader.Close();
                return (null, null);
            case OutputKind.Pipe:
                return (null, null); // the caller reads Process.StandardOutput/StandardError itself
            case OutputKind.Capture:
                return (reader.ReadToEndAsync(), null);
            case OutputKind.Lines:
                return (null, Task.Run(async () =>
                {
                    while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) output.OnLine!(line);
                }));
            default:
                return (null, Task.Run(async () =>
                {
                    await using var file = new FileStream(output.File!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                    await reader.BaseStream.CopyToAsync(file).ConfigureAwait(false);
                }));
        }
    }
}

internal static class ProcessStreams
{
    public static StreamReader? StandardOutputIfRedirected(this Process p, ProcessOutput o) => o.Kind == OutputKind.Inherit ? null : p.StandardOutput;

    public static StreamReader? StandardErrorIfRedirected(this Process p, ProcessOutput o) => o.Kind == OutputKind.Inherit ? null : p.StandardError;
}
