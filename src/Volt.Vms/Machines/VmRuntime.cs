using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.Errors;
using Volt.Units;
using Volt.Vms.Kernels;
using Volt.Vms.Qemu;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Vms.Machines;

/// <summary>
/// Runs VMs (inside voltd, or a test): renders <c>volt-vm@NAME.service</c> for this start (accelerator chosen by
/// <see cref="AccelProbe"/>, TAP from <see cref="IVmNetwork"/>), starts QEMU from it through
/// <see cref="ServiceLauncher"/> (own cgroup, stamped log), and only calls it running once QMP answers; a QEMU that
/// exits first is <c>failed</c> with its last stderr line. While it runs, <c>query-status</c> is polled: a QEMU paused
/// by an internal error or a guest panic is killed and <c>failed</c>. Exits apply the restart policy. Stop is ACPI
/// powerdown, then QMP <c>quit</c> after the timeout, then SIGKILL.
/// </summary>
public sealed partial class VmRuntime : IAsyncDisposable
{
    private readonly VmEngine _engine;
    private readonly ServiceLauncher _launcher;
    private readonly AccelProbe _probe;
    private readonly IVmNetwork? _network;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();

    public VmRuntime(VmEngine engine, ServiceLauncher launcher, AccelProbe probe, IVmNetwork? network = null, TimeProvider? time = null,
        ILoggerFactory? logging = null, string label = "voltd")
    {
        _engine = engine; _launcher = launcher; _probe = probe; _network = network; _time = time ?? TimeProvider.System; Label = label;
        _log = (logging ?? NullLoggerFactory.Instance).CreateLogger("Volt.Vms");
    }

    public string Label { get; }
    public VmStore Store => _engine.Store;
    public VmEngine Engine => _engine;

    /// <summary>How long a start waits for QMP to answer before the VM counts as failed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running VM's <c>query-status</c> is read.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> Running => [.. _watches.Keys.Order(StringComparer.Ordinal)];

    private sealed class Watch(string name, ServiceProcess process, ServiceUnit unit)
    {
        public string Name => name;
        public ServiceProcess Process => process;
        public ServiceUnit Unit => unit;
        public volatile bool StopRequested;
        /// <summary>Volt paused the guest itself (snapshot): a paused status is not a failure.</summary>
        public volatile bool PausedByVolt;
        public volatile string? FailReason;
        public readonly CancellationTokenSource Stop = new();
        public readonly TaskCompletionSource Recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public ServiceLaunch Launch(string name) =>
        new(name, Store.LogFile(name), VmStore.CgroupName(name), Store.Dir(name));

    public bool IsRunning(string name) => _watches.ContainsKey(name);

    public async Task StartAsync(string name, CancellationToken ct = default, string? incoming = null)
    {
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        if (_watches.ContainsKey(name)) return;
        await LaunchLockedAsync(name, 0, incoming, ct).ConfigureAwait(false);
    }

    public async Task RestartAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        await StopLockedAsync(name, timeout, ct).ConfigureAwait(false);
        await LaunchLockedAsync(name, 0, null, ct).ConfigureAwait(false);
    }

    public async Task StopAsync(string name, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        await StopLockedAsync(name, timeout, ct).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="body"/> with the VM's lifecycle gate held and its status watch told the guest is paused by Volt.</summary>
    internal async Task<T> WithPausedAsync<T>(string name, Func<QmpClient, Task<T>> body, CancellationToken ct)
    {
        using var _ = await GateAsync(name, ct).ConfigureAwait(false);
        if (!_watches.TryGetValue(name, out var w)) throw VoltException.Conflict($"VM \"{name}\" is not running");
        w.PausedByVolt = true;
        try
        {
            await using var qmp = await QmpClient.ConnectAsync(Store.QmpSocket(name), ct: ct).ConfigureAwait(false);
            await qmp.ExecuteAsync("stop", null, ct).ConfigureAwait(false);
            try { return await body(qmp).ConfigureAwait(false); }
            finally { await qmp.ExecuteAsync("cont", null, CancellationToken.None).ConfigureAwait(false); }
        }
        finally { w.PausedByVolt = false; }
    }

    private async Task LaunchLockedAsync(string name, int restarts, string? incoming, CancellationToken ct)
    {
        CancelPending(name);
        var config = Store.Config(name);
        incoming ??= VmSnapshots.TakeIncoming(Store, name);
        VmEngine.CheckFreeMemory(config.MemoryMiB << 20);
        KernelProfile? profile = config.Kernel is null ? null : _engine.Kernels.Get(config.Kernel);
        if (profile is not null)
        {
            (profile, var rebuilt) = await _engine.Initramfs.EnsureCurrentAsync(profile, ct).ConfigureAwait(false);
            if (rebuilt) LogInitramfsRebuilt(profile.Name, InitScripts.Hash);
        }
        var kernel = profile is null ? null : _engine.Kernels.KernelPath(profile);
        var initrd = profile is null ? null : _engine.Kernels.InitramfsPath(profile);
        var (accel, reason) = kernel is null
            ? (config.Accel == "kvm" ? "kvm" : "tcg", config.Accel == "kvm" ? "asked for (--accel kvm)" : "firmware boot: no probe kernel; TCG")
            : await _probe.ChooseAsync(config.Accel, kernel, initrd!, null, ct).ConfigureAwait(false);
        var prior = Store.State(name);
        Store.SaveState(name, prior with { Status = WorkloadStatus.Starting, Supervisor = Label, Error = null, Accel = accel, AccelReason = reason });
        VmNetAttachment? net = null;
        try
        {
            if (config.Network is not null)
            {
                if (_network is null) throw new VoltException(ExitCode.Dependency, $"VM \"{name}\" wants network \"{config.Network}\" but this supervisor has no network attach");
                net = await _network.AttachAsync(config, ct).ConfigureAwait(false);
            }
            var runDir = Store.RunDir(name);
            Directory.CreateDirectory(runDir);
            foreach (var s in new[] { Store.QmpSocket(name), Store.ConsoleSocket(name), Store.AgentSocket(name) }) Core.IO.AtomicFile.TryDelete(s);
            var argv = QemuArgs.Build(new QemuLaunch
            {
                Name = name, Accel = accel, Cpus = config.Cpus, MaxCpus = QemuArgs.MaxCpus(config.Cpus), MemoryMiB = config.MemoryMiB, Machine = profile?.Machine ?? "pc",
                Kernel = kernel, Initramfs = initrd,
                Cmdline = profile is null ? null : QemuArgs.Cmdline(profile, net?.KernelIp(name), config.Cmdline),
                Disk = Store.Disk(name), Seed = config.CloudInit ? Store.Seed(name) : null, SerialLog = Store.SerialLog(name),
                ConsoleSocket = Store.ConsoleSocket(name), AgentSocket = Store.AgentSocket(name), QmpSocket = Store.QmpSocket(name),
                Tap = net?.Tap, Mac = config.Mac, Devices = profile?.Devices ?? [], Hugepages = config.Hugepages, Incoming = incoming,
            });
            var text = _engine.RenderUnit(config, argv, net?.Netns);
            _engine.WriteUnit(name, text);
            var unit = ServiceUnit.From(UnitFile.Parse(text, Store.UnitFile(name)));
            var logStart = LogLength(name);
            var p = await _launcher.StartAsync(unit, Launch(name), ct).ConfigureAwait(false);
            var ready = await WaitReadyAsync(name, p, ct).ConfigureAwait(false);
            if (!ready)
            {
                var line = LastQemuLine(name, logStart) ?? $"QEMU exited with code {(p.HasExited ? p.Exited.Result : null)}";
                if (!p.HasExited) await KillAsync(p, unit, name).ConfigureAwait(false);
                throw new VoltException(ExitCode.General, $"VM \"{name}\" failed to start: {line}");
            }
            await PollBalloonStatsAsync(name, ct).ConfigureAwait(false);
            var w = new Watch(name, p, unit);
            _watches[name] = w;
            Store.SaveState(name, new VmState
            {
                Status = WorkloadStatus.Running, Pid = p.Pid, PidStartTime = p.StartTime, Supervisor = Label, StartedAt = p.StartedAt,
                Restarts = restarts, Accel = accel, AccelReason = reason, Ip = net?.Address, Tap = net?.Tap,
                RunningMemoryMiB = config.MemoryMiB, RunningCpus = config.Cpus, MaxCpus = QemuArgs.MaxCpus(config.Cpus),
            });
            LogStarted(name, p.Pid, accel);
            _ = MonitorAsync(w, config);
            _ = WatchStatusAsync(w);
        }
        catch (Exception e)
        {
            await _launcher.CleanupAsync(VmStore.CgroupName(name), CancellationToken.None).ConfigureAwait(false);
            if (net is not null && _network is not null) await _network.DetachAsync(config, CancellationToken.None).ConfigureAwait(false);
            Store.SaveState(name, Store.State(name) with
            {
                Status = WorkloadStatus.Failed, Pid = null, PidStartTime = null, FinishedAt = _time.GetUtcNow(), Error = e.Message, Restarts = restarts,
            });
            throw;
        }
    }

    /// <summary>The balloon device's QOM path (<c>-device virtio-balloon-pci,id=balloon0</c>).</summary>
    public const string BalloonPath = "/machine/peripheral/balloon0";

    /// <summary>
    /// Asks QEMU to poll the guest's balloon statistics every 2 s (<c>guest-stats</c>: total, free, available memory),
    /// which <c>volt top</c> shows; best-effort (a guest without the driver just reports none).
    /// </summary>
    private async Task PollBalloonStatsAsync(string name, CancellationToken ct)
    {
        try
        {
            await using var q = await QmpClient.ConnectAsync(Store.QmpSocket(name), TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
            await q.ExecuteAsync("qom-set", new System.Text.Json.Nodes.JsonObject
                { ["path"] = BalloonPath, ["property"] = "guest-stats-polling-interval", ["value"] = 2 }, ct).ConfigureAwait(false);
        }
        catch (VoltException e) { LogBalloonStats(name, e.Message); }
    }

    private async Task<bool> WaitReadyAsync(string name, ServiceProcess p, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + StartTimeout;
        while (_time.GetUtcNow() < deadline)
        {
            if (p.HasExited) return false;
            if (File.Exists(Store.QmpSocket(name)))
            {
                try
                {
                    await using var q = await QmpClient.ConnectAsync(Store.QmpSocket(name), TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                    var status = await q.StatusAsync(ct).ConfigureAwait(false);
                    if (status is "running" or "inmigrate" or "prelaunch" or "paused") return !p.HasExited;
                }
                catch (VoltException) { }
            }
            await Task.WhenAny(p.Exited, Task.Delay(50, ct)).ConfigureAwait(false);
        }
        return false;
    }

    private async Task WatchStatusAsync(Watch w)
    {
        while (!w.Process.HasExited && !w.StopRequested)
        {
            try { await Task.WhenAny(w.Process.Exited, Task.Delay(StatusInterval, w.Stop.Token)).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            if (w.Process.HasExited || w.StopRequested || w.PausedByVolt) continue;
            string status;
            try
            {
                await using var q = await QmpClient.ConnectAsync(Store.QmpSocket(w.Name), TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                status = await q.StatusAsync().ConfigureAwait(false);
            }
            catch (VoltException) { continue; }
            if (w.PausedByVolt || status is "running" or "inmigrate" or "postmigrate" or "finish-migrate" or "save-vm" or "restore-vm" or "suspended") continue;
            if (status is "internal-error" or "guest-panicked" or "io-error" or "paused" or "shutdown")
            {
                if (status == "shutdown") continue; // -no-reboot: QEMU exits by itself
                w.FailReason = $"QEMU stopped the guest: status \"{status}\"{(status == "paused" ? " (not paused by Volt: a KVM internal error pauses QEMU)" : "")}";
                LogGuestFailed(w.Name, status);
                await KillAsync(w.Process, w.Unit, w.Name).ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task MonitorAsync(Watch w, VmConfig config)
    {
        try
        {
            var code = await w.Process.Exited.ConfigureAwait(false);
            w.Stop.Cancel();
            _watches.TryRemove(new KeyValuePair<string, Watch>(w.Name, w));
            await _launcher.CleanupAsync(w.Process.Cgroup).ConfigureAwait(false);
            if (_network is not null && config.Network is not null) await _network.DetachAsync(config, CancellationToken.None).ConfigureAwait(false);
            if (!Store.Exists(w.Name)) return;
            var state = Store.State(w.Name);
            if (state.Pid is { } recorded && recorded != w.Process.Pid) return;
            var failed = !w.StopRequested && (w.FailReason is not null || code is not (null or 0));
            var error = !failed ? null : w.FailReason ?? $"QEMU exited with code {code}{(code > 128 ? $" (signal {code - 128})" : "")}: {LastQemuLine(w.Name, 0) ?? "no output"}";
            var now = _time.GetUtcNow();
            state = state with
            {
                Status = failed ? WorkloadStatus.Failed : WorkloadStatus.Stopped, Pid = null, PidStartTime = null, ExitCode = code,
                FinishedAt = now, Error = error, Restart = null,
            };
            var policy = Store.Config(w.Name).Restart; // read now: volt vm update changes it for a running VM
            var restarts = policy == "always" || (policy == "on-failure" && failed);
            if (!w.StopRequested && restarts && !_shutdown.IsCancellationRequested)
            {
                var n = now - w.Process.StartedAt >= ServiceRuntime.StableRun ? 0 : state.Restarts;
                state = state with { Status = WorkloadStatus.Restarting, Restarts = n, Restart = new(n + 1, now + ServiceRuntime.BackOff(TimeSpan.FromSeconds(2), n)) };
            }
            Store.SaveState(w.Name, state);
            LogExited(w.Name, code ?? -1, state.Status.Word());
            if (state.Restart is { } next) Schedule(w.Name, next);
        }
        catch (Exception e) { LogMonitorFailed(e, w.Name); }
        finally { w.Recorded.TrySetResult(); }
    }

    private void Schedule(string name, Workloads.Containers.RestartSchedule next)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        _pending.AddOrUpdate(name, cts, (_, old) => { old.Cancel(); return cts; });
        _ = Task.Run(async () =>
        {
            try
            {
                var delay = next.NextAt - _time.GetUtcNow();
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, cts.Token).ConfigureAwait(false);
                using var _ = await GateAsync(name, cts.Token).ConfigureAwait(false);
                if (!_pending.TryGetValue(name, out var cur) || cur != cts || !Store.Exists(name)) return;
                if (Store.State(name).Status != WorkloadStatus.Restarting) return;
                _pending.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, cts));
                await LaunchLockedAsync(name, next.Attempt, null, _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { LogMonitorFailed(e, name); }
        });
    }

    private void CancelPending(string name)
    {
        if (_pending.TryRemove(name, out var cts)) cts.Cancel();
    }

    private async Task StopLockedAsync(string name, TimeSpan? timeout, CancellationToken ct)
    {
        CancelPending(name);
        if (!_watches.TryGetValue(name, out var w))
        {
            var s = Store.State(name);
            if (s.Status is WorkloadStatus.Restarting or WorkloadStatus.Starting) Store.SaveState(name, s with { Status = WorkloadStatus.Stopped, Restart = null });
            return;
        }
        w.StopRequested = true;
        var limit = timeout ?? w.Unit.TimeoutStopSec ?? TimeSpan.FromSeconds(30);
        try
        {
            await using var q = await QmpClient.ConnectAsync(Store.QmpSocket(name), TimeSpan.FromSeconds(3), ct).ConfigureAwait(false);
            await q.ExecuteAsync("system_powerdown", null, ct).ConfigureAwait(false);
            if (!await ExitedWithinAsync(w, limit).ConfigureAwait(false))
            {
                LogPowerdownTimeout(name, limit.TotalSeconds);
                try { await q.ExecuteAsync("quit", null, ct).ConfigureAwait(false); } catch (VoltException) { }
                catch (IOException) { }
            }
        }
        catch (VoltException e) { LogQmpFailed(name, e.Message); }
        if (!await ExitedWithinAsync(w, TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            await _launcher.StopAsync(w.Process, w.Unit, Launch(name), TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        await w.Recorded.Task.ConfigureAwait(false);
    }

    private static async Task<bool> ExitedWithinAsync(Watch w, TimeSpan t)
    {
        try { await w.Process.Exited.WaitAsync(t).ConfigureAwait(false); return true; }
        catch (TimeoutException) { return false; }
    }

    private async Task KillAsync(ServiceProcess p, ServiceUnit unit, string name) =>
        await _launcher.StopAsync(p, unit with { ExecStop = [] }, Launch(name), TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);

    /// <summary>Re-watches the VMs an earlier instance with this label started and that still run.</summary>
    public Task<IReadOnlyList<string>> AdoptAsync(CancellationToken ct = default)
    {
        var adopted = new List<string>();
        foreach (var name in Store.Names())
        {
            var s = Store.State(name);
            if (s.Supervisor != Label || s.Status != WorkloadStatus.Running || !ProcessIdentity.IsAlive(s.Pid, s.PidStartTime) || _watches.ContainsKey(name)) continue;
            ServiceUnit unit;
            try { unit = ServiceUnit.From(UnitFile.Load(Store.UnitFile(name))); }
            catch (Exception e) when (e is VoltException or IOException) { continue; }
            var p = ServiceProcess.Adopt(s.Pid!.Value, s.PidStartTime, VmStore.CgroupName(name), s.StartedAt ?? _time.GetUtcNow(), _shutdown.Token);
            var w = new Watch(name, p, unit);
            _watches[name] = w;
            _ = MonitorAsync(w, Store.Config(name));
            _ = WatchStatusAsync(w);
            adopted.Add(name);
        }
        return Task.FromResult<IReadOnlyList<string>>(adopted);
    }

    /// <summary>voltd's shutdown: every VM stopped (powerdown, then quit), newest first.</summary>
    public async Task StopAllAsync(TimeSpan? timeout = null)
    {
        _shutdown.Cancel();
        foreach (var name in _watches.Values.OrderByDescending(w => w.Process.StartedAt).Select(w => w.Name).ToList())
        {
            try { await StopAsync(name, timeout ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
            catch (Exception e) { LogMonitorFailed(e, name); }
        }
    }

    private long LogLength(string name)
    {
        try { return new FileInfo(Store.LogFile(name)).Length; } catch (IOException) { return 0; }
    }

    /// <summary>QEMU's last line in the VM's log since <paramref name="from"/> (the stamp removed), or null.</summary>
    public string? LastQemuLine(string name, long from)
    {
        try
        {
            using var f = File.OpenRead(Store.LogFile(name));
            if (from > 0 && from <= f.Length) f.Position = from;
            var text = new StreamReader(f).ReadToEnd();
            var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => !l.EndsWith("Z", StringComparison.Ordinal));
            if (line is null) return null;
            var sp = line.IndexOf(' ');
            return sp > 0 && line[..sp].EndsWith('Z') ? line[(sp + 1)..] : line;
        }
        catch (IOException) { return null; }
    }

    private async Task<IDisposable> GateAsync(string name, CancellationToken ct)
    {
        var gate = _gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    public async ValueTask DisposeAsync()
    {
        _shutdown.Cancel();
        foreach (var w in _watches.Values) w.Stop.Cancel();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 14002, Level = LogLevel.Information, Message = "VM {Name} started (pid {Pid}, {Accel})")]
    private partial void LogStarted(string name, int pid, string accel);

    [LoggerMessage(EventId = 14003, Level = LogLevel.Information, Message = "VM {Name} exited with code {Code}: {Status}")]
    private partial void LogExited(string name, int code, string status);

    [LoggerMessage(EventId = 14004, Level = LogLevel.Warning, Message = "VM {Name}: QEMU reports status {Status}; killed and marked failed")]
    private partial void LogGuestFailed(string name, string status);

    [LoggerMessage(EventId = 14005, Level = LogLevel.Information, Message = "VM {Name} did not power down within {Seconds}s; sending quit")]
    private partial void LogPowerdownTimeout(string name, double seconds);

    [LoggerMessage(EventId = 14006, Level = LogLevel.Warning, Message = "VM {Name}: QMP failed ({Message}); stopping QEMU by signal")]
    private partial void LogQmpFailed(string name, string message);

    [LoggerMessage(EventId = 14008, Level = LogLevel.Information, Message = "Kernel profile {Profile}: initramfs from an older Volt rebuilt with this Volt's init and agent ({Hash})")]
    private partial void LogInitramfsRebuilt(string profile, string hash);

    [LoggerMessage(EventId = 14009, Level = LogLevel.Debug, Message = "VM {Name}: no balloon statistics polling ({Message})")]
    private partial void LogBalloonStats(string name, string message);

    [LoggerMessage(EventId = 14007, Level = LogLevel.Error, Message = "VM {Name}: supervision failed")]
    private partial void LogMonitorFailed(Exception e, string name);
}
