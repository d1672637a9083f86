using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.IO;
using Volt.Core.Processes;
using Volt.Vms.Kernels;
using Volt.Vms.Machines;

namespace Volt.Vms.Qemu;

/// <summary>The probe's verdict: whether KVM booted a guest, and why (not).</summary>
public sealed record AccelProbeResult(bool KvmWorks, string Reason, DateTimeOffset At);

/// <summary>
/// Decides the accelerator: KVM only when a bounded test boot under KVM reaches the initramfs's
/// <see cref="InitScripts.ProbeMarker"/> (the guest prints it and powers off), never because <c>/dev/kvm</c> exists: on
/// hosts where KVM is present but broken a guest hangs, QEMU aborts, or QEMU pauses on an internal error. The probe is
/// killed at its deadline. The verdict is kept in <c>/var/run/volt/kvm-probe.json</c> (per boot) and logged.
/// </summary>
public sealed partial class AccelProbe(Volt.Core.Paths.VoltPaths paths, TimeProvider? time = null, ILogger? log = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _log = log ?? NullLogger.Instance;

    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(20);

    public string ResultFile => Path.Combine(paths.Run, "kvm-probe.json");

    /// <summary><c>kvm</c> or <c>tcg</c> for <paramref name="requested"/> (<c>auto</c>, <c>kvm</c>, <c>tcg</c>) and the reason.</summary>
    public async Task<(string Accel, string Reason)> ChooseAsync(string requested, string kernel, string initramfs, TimeSpan? deadline = null, CancellationToken ct = default)
    {
        switch (requested)
        {
            case "tcg": return ("tcg", "asked for (--accel tcg)");
            case "kvm": return ("kvm", "asked for (--accel kvm)");
        }
        var r = Cached() ?? await ProbeAsync(kernel, initramfs, deadline ?? DefaultDeadline, ct).ConfigureAwait(false);
        return r.KvmWorks ? ("kvm", r.Reason) : ("tcg", r.Reason);
    }

    public AccelProbeResult? Cached()
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(ResultFile), VmJson.Default.AccelProbeResult); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Boots the probe under KVM once (bounded by <paramref name="deadline"/>) and records the verdict.</summary>
    public async Task<AccelProbeResult> ProbeAsync(string kernel, string initramfs, TimeSpan deadline, CancellationToken ct = default)
    {
        var result = await RunProbeAsync(kernel, initramfs, deadline, ct).ConfigureAwait(false);
        LogProbe(result.KvmWorks ? "kvm" : "tcg", result.Reason);
        Directory.CreateDirectory(paths.Run);
        AtomicFile.WriteAllBytes(ResultFile, JsonSerializer.SerializeToUtf8Bytes(result, VmJson.Default.AccelProbeResult));
        return result;
    }

    private async Task<AccelProbeResult> RunProbeAsync(string kernel, string initramfs, TimeSpan deadline, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (!File.Exists("/dev/kvm")) return new(false, "no /dev/kvm", now);
        try { using var _ = File.Open("/dev/kvm", FileMode.Open, FileAccess.ReadWrite); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return new(false, $"/dev/kvm cannot be opened: {e.Message}", now); }
        var args = new List<string>
        {
            "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-machine", "pc,accel=kvm", "-cpu", "host", "-m", "128M",
            "-kernel", kernel, "-initrd", initramfs, "-append", "console=ttyS0 quiet panic=-1 volt.probe", "-serial", "stdio",
        };
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastErr = "";
        var clock = Stopwatch.StartNew();
        RunningProcess p;
        try
        {
            p = ProcessLauncher.Start(new ProcessSpec(QemuArgs.Binary, args)
            {
                Stdin = ProcessInput.Closed,
                Stdout = ProcessOutput.Lines(l => { if (l.Contains(InitScripts.ProbeMarker, StringComparison.Ordinal)) seen.TrySetResult(); }),
                Stderr = ProcessOutput.Lines(l => { if (l.Trim().Length > 0) lastErr = l.Trim(); }),
            });
        }
        catch (Exception e) { return new(false, $"{QemuArgs.Binary} did not start: {e.Message}", now); }
        await using (p.ConfigureAwait(false))
        {
            var exited = p.Process.WaitForExitAsync(ct);
            var done = await Task.WhenAny(seen.Task, exited, Task.Delay(deadline, ct)).ConfigureAwait(false);
            if (done == seen.Task)
            {
                await KillAsync(p).ConfigureAwait(false);
                return new(true, $"KVM probe boot reached the guest in {clock.Elapsed.TotalMilliseconds:0} ms", now);
            }
            if (done == exited)
                return new(false, $"KVM probe: QEMU exited with {p.ExitCode} before the guest ran ({(lastErr.Length > 0 ? lastErr : "no output")})", now);
            await KillAsync(p).ConfigureAwait(false);
            return new(false, $"KVM probe boot hung: killed at its {deadline.TotalSeconds:0.#}s deadline{(lastErr.Length > 0 ? $" ({lastErr})" : "")}", now);
        }
    }

    private static async Task KillAsync(RunningProcess p)
    {
        try { p.Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        try { await p.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); } catch (TimeoutException) { }
    }

    [LoggerMessage(EventId = 14001, Level = LogLevel.Information, Message = "accelerator probe: {Accel} ({Reason})")]
    private partial void LogProbe(string accel, string reason);
}
