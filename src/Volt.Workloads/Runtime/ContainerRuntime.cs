using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Rootfs;
using Volt.Workloads.Supervision;

namespace Volt.Workloads.Runtime;

/// <summary>
/// Supervises containers itself (voltd's engine, and the foreground CLI of <c>volt run</c>): starts the nspawn command
/// line, writes the cgroup, watches the process, applies the restart policy, stops with SIGTERM then SIGKILL, and
/// re-adopts containers a previous instance started. Never writes to the console.
/// </summary>
public sealed partial class ContainerRuntime : ISupervisor, IAsyncDisposable
{
    private readonly ContainerHost _host;
    private readonly ContainerEngine _engine;
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _sandboxSummaries = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private readonly CancellationTokenSource _shutdown = new();

    /// <param name="label">Recorded as <c>state.json</c>'s supervisor; only containers with this label are re-adopted.</param>
    public ContainerRuntime(ContainerHost host, string label = "voltd")
    {
        _host = host;
        _engine = new ContainerEngine(host);
        Label = label;
        _log = host.Logging.CreateLogger("Volt.Workloads.Runtime");
    }

    public string Name => Label;
    public string Label { get; }

    /// <summary>
    /// True once <see cref="EnterSharedBookkeeping"/> moved this process into the driver's shared bookkeeping group:
    /// containers that run no init then skip joining those hierarchies (nspawn files them under this group's
    /// <c>payload/</c>), which takes the kernel's cgroup-migration wait off every start.
    /// </summary>
    public bool SharedBookkeeping { get; private set; }

    /// <summary>For voltd (a process of its own): see <see cref="ICgroupDriver.EnterSharedBookkeeping"/>.</summary>
    public void EnterSharedBookkeeping() => SharedBookkeeping = _host.Cgroups.EnterSharedBookkeeping();

    /// <summary>
    /// Takes the sandbox report's summary of the last requested start of <paramref name="name"/> by this runtime (null:
    /// unconfined, taken already, or not started here): the detail of that start's audit line, so no caller plans the
    /// sandbox a second time. Taken once, so a long-running voltd keeps none for containers deleted since.
    /// </summary>
    public string? TakeSandboxSummary(string name) => _sandboxSummaries.TryRemove(name, out var s) ? s : null;

    /// <summary>Containers this runtime watches now, oldest start first.</summary>
    public IReadOnlyList<string> Running => [.. _watches.Values.OrderBy(w => w.Started).Select(w => w.Name)];

    /// <summary>One watched nspawn process.</summary>
    private sealed class Watch(string name, int pid, Process? child, DateTimeOffset started, string rootfs)
    {
        public string Name => name;
        public int Pid => pid;
        public Process? Child => child;
        public DateTimeOffset Started => started;
        public string Rootfs => rootfs;
        public volatile bool StopRequested;
        public readonly TaskCompletionSource<int?> Exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Cancelled when the process is gone: ends what runs alongside it (the health checks).</summary>
        public readonly CancellationTokenSource Life = new();
    }

    public Task StartAsync(string name, CancellationToken ct = default) => StartAsync(name, restarts: 0, ct);

    private async Task StartAsync(string name, int restarts, CancellationToken ct)
    {
        CancelPendingRestart(name);
        var w = await LaunchAsync(name, restarts, logFile: _host.Store.LogFile(name), ConsoleMode.Pipe, ct).ConfigureAwait(false);
        if (w is not null) _ = MonitorAsync(w);
    }

    /// <summary>
    /// <c>volt run</c> without <c>-d</c>: the container's stdio is ours, this process supervises it until it exits, and
    /// the command's exit code is returned. Cancelling stops the container.
    /// </summary>
    /// <remarks>
    /// The container is created here, under the same lock as its start: its state goes from <c>creating</c> straight to
    /// <c>running</c> (no <c>stopped</c> write in between, and the rootfs is mounted once). Exit 4 (nothing written) when
    /// a container of that name exists.
    /// </remarks>
    public async Task<int> RunAttachedAsync(ContainerConfig config, ConsoleMode console, TimeSpan stopTimeout, CancellationToken ct)
    {
        var name = config.Name;
        var w = await LaunchAsync(name, 0, logFile: null, console, ct, creating: config).ConfigureAwait(false)
            ?? throw VoltException.Conflict($"container \"{name}\" is already running");
        var monitor = MonitorAsync(w);
        using (ct.Register(() => _ = StopAsync(name, stopTimeout, CancellationToken.None)))
            await monitor.ConfigureAwait(false);
        var code = await w.Exited.Task.ConfigureAwait(false);
        return code ?? 1;
    }

    /// <summary>
    /// <c>volt run -d</c> through voltd: create and start in one call. The gated nspawn wrapper joins the container's
    /// cgroups while the container's records and rootfs are written, so the kernel's cgroup-migration wait overlaps the
    /// create instead of following it. Any failure undoes both.
    /// </summary>
    public async Task<ContainerConfig> CreateAndStartAsync(CreateRequest request, CancellationToken ct = default)
    {
        var config = _engine.Plan(request);
        var w = await LaunchAsync(config.Name, 0, _host.Store.LogFile(config.Name), ConsoleMode.Pipe, ct, creating: config).ConfigureAwait(false);
        if (w is not null) _ = MonitorAsync(w);
        return config;
    }

    /// <summary>
    /// Starts nspawn for a container (created first when <paramref name="creating"/> is given); null when it is already
    /// running, or, for a <paramref name="restarting"/> launch, when it is no longer in restart back-off (stopped meanwhile).
    /// </summary>
    private async Task<Watch?> LaunchAsync(string name, int restarts, string? logFile, ConsoleMode console, CancellationToken ct,
        ContainerConfig? creating = null, bool restarting = false)
    {
        var store = _host.Store;
        if (creating is null) store.EnsureExists(name);
        Watch w;
        using (await store.LockAsync(name, ct).ConfigureAwait(false))
        {
            ContainerConfig config;
            if (creating is null)
            {
                config = store.Config(name);
                var state = store.State(name);
                if (state.Status == ContainerStatus.Creating)
                    throw VoltException.Conflict($"container \"{name}\" was not fully created; delete it and create it again");
                if (_watches.ContainsKey(name) || (state.Status == ContainerStatus.Running && IsOurs(state.Pid, name))) return null;
                if (restarting && state.Status != ContainerStatus.Restarting) return null;
            }
            else
            {
                if (store.Exists(name)) throw VoltException.Exists($"container \"{name}\" already exists");
                config = creating;
            }

            await using var rev = new Reverter(_log);
            try
            {
                var rootfs = store.Rootfs(name);
                var materialized = false;
                var cg = ContainerHost.CgroupName(name);
                if (creating is null)
                {
                    // A failed start leaves the container as it was (stopped, its exit recorded), not "running".
                    var before = store.State(name);
                    rev.Add("state", () => store.Save(name, before with { Status = before.Status == ContainerStatus.Running ? ContainerStatus.Stopped : before.Status, Pid = null, Ip = null }));
                    // The rootfs first: the command is checked in it before nspawn runs (an ungated launch starts at once).
                    if (_host.Rootfs.Prepare(RootfsSource.Of(config), store.Dir(name)) != rootfs)
                        throw new InvalidOperationException($"rootfs provider did not prepare {rootfs}");
                    RootfsCheck.Prepare(config, rootfs);
                }
                _host.Cgroups.Delete(cg);
                _host.Cgroups.Create(cg);
                rev.Add("cgroup", () => _host.Cgroups.Delete(cg));
                _host.Cgroups.Apply(cg, _host.Limits(config));
                long logStart = 0;
                if (logFile is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
                    logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
                }

                // An ungated launch (foreground) starts at once: the records and rootfs first, the command checked in it.
                if (creating is not null && logFile is null)
                {
                    _engine.Materialize(config, rev);
                    materialized = true;
                    RootfsCheck.Prepare(config, rootfs);
                }
                // A non-root --user is resolved in the image and switched by Volt's helper: that needs the rootfs before nspawn.
                (UserSwitch, string, string)? user = null;
                if (UserSwitch.Needed(config.User))
                {
                    if (creating is not null && !materialized) { _engine.Materialize(config, rev); materialized = true; }
                    var switchUser = UserSwitch.Resolve(config.User, rootfs)!;
                    var helper = Path.Combine(store.Dir(name), "user-switch");
                    switchUser.WriteHelper(helper);
                    user = (switchUser, helper, RootfsCheck.Prepare(config, rootfs));
                }
                // The sandbox plan is written beside the records: a create has to have made them first.
                if (creating is not null && !materialized && ContainerSandbox.Wanted(config)) { _engine.Materialize(config, rev); materialized = true; }
                var sandbox = ContainerSandbox.Prepare(config, rootfs, store.Dir(name), _host.Paths);
                // For the audit line of the request that started it (a restart has none: nothing kept).
                if (sandbox is null || restarting) _sandboxSummaries.TryRemove(name, out _);
                else
                {
                    _sandboxSummaries[name] = sandbox.Summary;
                    rev.Add("sandbox summary", () => _sandboxSummaries.TryRemove(name, out _));
                }
                // The environment reaches nspawn through the container's 0600 settings file, never its command line
                // (rewritten at every start: a switched user's HOME; records from before the file existed).
                // A create not yet materialized writes it with its records below, before nspawn passes its gate (a --user
                // materializes first, so its HOME is always written here); writing here first would make the directory.
                if (creating is null || materialized) store.SaveSettings(config, NspawnCommand.LaunchEnv(config, user?.Item1), ContainerStore.Durable(config));
                var networked = config.Network is not null || config.Publish.Count > 0;
                var argv = NspawnCommand.Build(config, rootfs, console, user, sandbox is null ? null : (sandbox.Helper, sandbox.Plan), envInSettings: true,
                    netns: networked ? _host.Network.NetnsPath(name) : null);
                // The network is wired before the payload runs (its first instruction may well be a connect): before an
                // ungated (foreground) start; for a gated one below, while the wrapper joins the cgroups.
                string? ip = null;
                if (networked)
                {
                    // Registered before the attach: a failed or cancelled attach may have made some of its changes already.
                    rev.Add("network", c => _host.Network.DetachAsync(name, c));
                    if (logFile is null) ip = await AttachNetworkAsync(name, config, rootfs, ct).ConfigureAwait(false);
                }
                var launch = NspawnLauncher.Start(argv, _host.Cgroups.JoinFiles(cg, bookkeeping: !SharedBookkeeping || NspawnCommand.RunsInit(config)), logFile,
                    ownSession: console == ConsoleMode.Pipe);
                var process = launch.Process;
                // Undone before the cgroup: everything in it must be gone for its directories to go (rmdir of a busy group fails).
                rev.Add("nspawn", c => { launch.Abort(); return KillAndWaitAsync(name, process, c); });
                // While the wrapper joins the cgroups: the records and the rootfs (a detached launch waits at its gate).
                if (creating is not null && logFile is not null)
                {
                    if (!materialized) _engine.Materialize(config, rev);
                    rev.Add("nspawn", c => KillAndWaitAsync(name, process, c)); // undone first: stop it before its rootfs goes
                    RootfsCheck.Prepare(config, rootfs);
                }
                if (networked && logFile is not null) ip = await AttachNetworkAsync(name, config, rootfs, ct).ConfigureAwait(false);
                var started = _host.Time.GetUtcNow();
                w = new Watch(name, process.Id, process, started, rootfs);
                store.Save(name, new ContainerState
                {
                    Status = ContainerStatus.Running, Pid = process.Id, Supervisor = Label, StartedAt = started, Restarts = restarts, Ip = ip,
                }, ContainerStore.Durable(config));
                _watches[name] = w;
                rev.Add("watch", () => _watches.TryRemove(name, out _));
                launch.Go();

                // A foreground run needs no PID 1 (its network is wired already, no log to read a refusal from): it waits
                // for nspawn's exit instead of polling /proc beside nspawn's own start (CPU the 2-core start needs).
                var init = logFile is null ? null : await WaitForInitAsync(process, ct).ConfigureAwait(false);
                // nspawn gave up before the container's PID 1 existed: say why (its own words from the log), never a silent exit.
                if (init is null && logFile is not null && process.HasExited && process.ExitCode != 0 && NspawnRefusal(logFile, logStart) is { } why)
                    throw new VoltException(ExitCode.General, $"container \"{name}\" did not start: {why}");
                rev.Commit();
            }
            catch (Exception e)
            {
                await rev.RevertAsync(e).ConfigureAwait(false);
                throw;
            }
        }
        LogStarted(name, w.Pid, Label);
        return w;
    }

    /// <summary>The container's namespace, its networks and ports, its resolv.conf (the rootfs exists by now).</summary>
    private Task<string?> AttachNetworkAsync(string name, ContainerConfig config, string rootfs, CancellationToken ct) =>
        _host.Network.AttachAsync(name, config.Network, config.ExtraNetworks, config.Publish, rootfs, ct);

    /// <summary>
    /// Waits until the container's PID 1 exists in its own PID namespace, or nspawn has already exited. nspawn forks it
    /// within tens of milliseconds, so the first 200 looks are 1 ms apart (each is a few /proc reads); after that every
    /// 20 ms, about 20 s in all.
    /// </summary>
    private static async Task<int?> WaitForInitAsync(Process nspawn, CancellationToken ct)
    {
        for (var i = 0; i < 1200; i++)
        {
            if (ProcFs.ContainerInit(nspawn.Id, ownNetwork: false) is { } c) return c;
            if (nspawn.HasExited) return null;
            await Task.Delay(i < 200 ? 1 : 20, ct).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>True when <paramref name="pid"/> is alive and is this container's nspawn.</summary>
    public bool IsOurs(int? pid, string name) =>
        pid is { } p && ProcFs.IsAlive(p) && NspawnCommand.Matches(ProcFs.Cmdline(p), name, _host.Store.Rootfs(name));

    /// <summary>
    /// SIGKILL to nspawn and everything in the container's cgroup, then waits (up to 5 s each) until nspawn is reaped
    /// and the group is empty, so the cgroup and the rootfs can go right after. Awaited, not blocking: a failed start
    /// among a stack's parallel ones held a pool worker for up to 10 s (docs/decisions.md s15).
    /// </summary>
    private async Task KillAndWaitAsync(string name, Process nspawn, CancellationToken ct)
    {
        KillAll(name, nspawn.Id);
        try { await nspawn.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException) { }
        var cg = ContainerHost.CgroupName(name);
        for (var i = 0; i < 500; i++)
        {
            var pids = _host.Cgroups.Exists(cg) ? _host.Cgroups.Pids(cg) : [];
            if (pids.Count == 0) return;
            foreach (var pid in pids) Native.Kill(pid, Native.SIGKILL);
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// nspawn's own failure lines in what the log got since <paramref name="from"/> (null when there are none: a command
    /// that merely exited non-zero before PID 1 was seen is a start, not a refusal).
    /// </summary>
    private static string? NspawnRefusal(string logFile, long from)
    {
        try
        {
            using var s = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            s.Seek(Math.Min(from, s.Length), SeekOrigin.Begin);
            var lines = new StreamReader(s).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.Contains("Refusing", StringComparison.Ordinal) || l.StartsWith("Failed to ", StringComparison.Ordinal)
                    || l.Contains("Child died too early", StringComparison.Ordinal) || l.Contains(") failed: ", StringComparison.Ordinal)).ToList();
            return lines.Count > 0 ? string.Join("; ", lines.TakeLast(3)) : null;
        }
        catch (IOException) { return null; }
    }

    private void KillAll(string name, int nspawnPid)
    {
        Native.Kill(nspawnPid, Native.SIGKILL);
        foreach (var pid in _host.Cgroups.Pids(ContainerHost.CgroupName(name))) Native.Kill(pid, Native.SIGKILL);
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Started container {Name} (nspawn pid {Pid}, supervisor {Supervisor})")]
    private partial void LogStarted(string name, int pid, string supervisor);
}
