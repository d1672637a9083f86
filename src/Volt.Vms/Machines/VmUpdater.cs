using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Core.Errors;
using Volt.Vms.Qemu;

namespace Volt.Vms.Machines;

/// <summary>What <c>volt vm update</c> was asked; null leaves a setting as it is.</summary>
public sealed record VmUpdateRequest
{
    public int? Cpus { get; init; }
    public string? Memory { get; init; }
    public string? Restart { get; init; }
    public string? Accel { get; init; }
    public string? Cmdline { get; init; }
}

/// <summary>The updated config and, per setting, when it takes effect (live, or at the VM's next start).</summary>
public sealed record VmUpdateResult(VmConfig Config, IReadOnlyList<string> Notes);

/// <summary>
/// <c>volt vm update</c>: everything checked first (exit 2, 11), then config.json rewritten. On a running VM memory is
/// changed live through the virtio balloon (QMP <c>balloon</c>) when it is at most what the guest booted with — the
/// balloon can only take memory from a guest and give it back; more memory, restart policy, accelerator and command line apply at the next start, and each note says so.
/// </summary>
public sealed class VmUpdater(VmStore store)
{
    public async Task<VmUpdateResult> UpdateAsync(string name, VmUpdateRequest req, bool running, CancellationToken ct = default)
    {
        if (req is { Cpus: null, Memory: null, Restart: null, Accel: null, Cmdline: null })
            throw VoltException.Usage("nothing to update: give --cpu, --memory, --restart, --accel or --cmdline");
        if (req.Cpus is < 1 or > 255) throw VoltException.Usage("--cpu must be 1-255");
        if (req.Restart is { } r && !VmEngine.RestartPolicies.Contains(r)) throw VoltException.Usage($"--restart \"{r}\": expected no, on-failure or always");
        if (req.Accel is { } a && !VmEngine.Accels.Contains(a)) throw VoltException.Usage($"--accel \"{a}\": expected auto, kvm or tcg");
        long? memMiB = null;
        if (req.Memory is { } m)
        {
            var bytes = VmEngine.ParseSize(m, "--memory");
            if (bytes < 64L << 20) throw VoltException.Usage("--memory must be at least 64M");
            VmEngine.CheckFreeMemory(bytes);
            memMiB = bytes >> 20;
        }

        VmConfig config;
        using (store.Lock(name))
        {
            var old = store.Config(name);
            config = old with
            {
                Cpus = req.Cpus ?? old.Cpus, MemoryMiB = memMiB ?? old.MemoryMiB, Restart = req.Restart ?? old.Restart,
                Accel = req.Accel ?? old.Accel, Cmdline = req.Cmdline is null ? old.Cmdline : req.Cmdline.Length == 0 ? null : req.Cmdline,
            };
            store.SaveConfig(config);
        }

        var notes = new List<string>();
        var state = store.State(name);
        if (!running)
        {
            notes.Add($"VM \"{name}\" is not running: the change applies at its next start");
            return new VmUpdateResult(config, notes);
        }
        if (memMiB is { } mem)
        {
            var booted = state.RunningMemoryMiB ?? mem;
            if (mem <= booted)
            {
                await using var qmp = await QmpClient.ConnectAsync(store.QmpSocket(name), ct: ct).ConfigureAwait(false);
                await qmp.ExecuteAsync("balloon", new JsonObject { ["value"] = mem << 20 }, ct).ConfigureAwait(false);
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"memory: {mem}M now, through the balloon (the guest booted with {booted}M)"));
            }
            else notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"memory: {mem}M at the next start (the guest booted with {booted}M; the balloon cannot give it more than that)"));
        }
        if (req.Cpus is { } cpus) notes.Add(await SetCpusAsync(name, cpus, state, ct).ConfigureAwait(false));
        if (req.Restart is not null) notes.Add($"restart policy: {config.Restart}, from the VM's next exit");
        if (req.Accel is not null) notes.Add($"accelerator: {config.Accel} at the next start");
        if (req.Cmdline is not null) notes.Add("kernel command line: at the next start");
        return new VmUpdateResult(config, notes);
    }

    /// <summary>
    /// vCPU hotplug: QEMU runs with <c>-smp BOOTED,maxcpus=MAX</c>; more vCPUs are <c>device_add</c>ed into the free
    /// slots <c>query-hotpluggable-cpus</c> lists (ids <c>vcpuN</c>) and brought online in the guest through the exec
    /// agent (a guest without udev leaves a new CPU offline); fewer are <c>device_del</c>ed, newest first (the guest
    /// ejects them through ACPI; bounded wait). Below what QEMU booted with, or above its maxcpus: at the next start.
    /// </summary>
    private async Task<string> SetCpusAsync(string name, int cpus, VmState state, CancellationToken ct)
    {
        var booted = state.RunningCpus ?? cpus;
        var max = state.MaxCpus ?? booted;
        var live = booted + state.HotCpus;
        if (cpus == live) return string.Create(CultureInfo.InvariantCulture, $"vCPUs: {cpus} (as running)");
        if (cpus < booted || cpus > max)
            return cpus > max
                ? string.Create(CultureInfo.InvariantCulture, $"vCPUs: {cpus} at the next start (QEMU runs {live} with room for {max}: -smp maxcpus)")
                : string.Create(CultureInfo.InvariantCulture, $"vCPUs: {cpus} at the next start (QEMU booted with {booted}; only hotplugged vCPUs are removed live)");
        await using var qmp = await QmpClient.ConnectAsync(store.QmpSocket(name), ct: ct).ConfigureAwait(false);
        var hot = state.HotCpus;
        if (cpus > live)
        {
            var slots = (await qmp.ExecuteAsync("query-hotpluggable-cpus", null, ct).ConfigureAwait(false))?.AsArray() ?? new JsonArray();
            var free = slots.OfType<JsonObject>().Where(o => o["qom-path"] is null)
                .OrderBy(o => Prop(o, "socket-id")).ThenBy(o => Prop(o, "core-id")).ThenBy(o => Prop(o, "thread-id")).ToList();
            for (var i = 0; i < cpus - live && i < free.Count; i++)
            {
                var args = new JsonObject { ["driver"] = free[i]["type"]!.GetValue<string>(), ["id"] = $"vcpu{booted + hot}" };
                foreach (var (k, v) in free[i]["props"]!.AsObject()) args[k] = v!.DeepClone();
                await qmp.ExecuteAsync("device_add", args, ct).ConfigureAwait(false);
                hot++;
                store.SaveState(name, store.State(name) with { HotCpus = hot, CpusHotplugged = true });
            }
            var online = await OnlineAsync(name, booted + hot, ct).ConfigureAwait(false);
            return string.Create(CultureInfo.InvariantCulture, $"vCPUs: {booted + hot} now, hotplugged (QEMU booted with {booted}, room for {max}){online}");
        }
        var deadline = DateTime.UtcNow + CpuUnplugTimeout;
        while (booted + hot > cpus)
        {
            var id = $"vcpu{booted + hot - 1}";
            await qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = id }, ct).ConfigureAwait(false);
            while (!await GoneAsync(qmp, id, ct).ConfigureAwait(false))
            {
                if (DateTime.UtcNow > deadline)
                    return string.Create(CultureInfo.InvariantCulture, $"vCPUs: {booted + hot} now: the guest did not release {id} within {CpuUnplugTimeout.TotalSeconds:0}s (asked; {cpus} at the next start)");
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            hot--;
            store.SaveState(name, store.State(name) with { HotCpus = hot, CpusHotplugged = true });
        }
        return string.Create(CultureInfo.InvariantCulture, $"vCPUs: {cpus} now, unplugged (QEMU booted with {booted})");
    }

    /// <summary>How long an unplugged vCPU may take to be released by the guest.</summary>
    public TimeSpan CpuUnplugTimeout { get; init; } = TimeSpan.FromSeconds(30);

    private static long Prop(JsonObject slot, string key) => slot["props"]?[key]?.GetValue<long>() ?? 0;

    private static async Task<bool> GoneAsync(QmpClient qmp, string id, CancellationToken ct)
    {
        var slots = (await qmp.ExecuteAsync("query-hotpluggable-cpus", null, ct).ConfigureAwait(false))?.AsArray() ?? new JsonArray();
        return !slots.OfType<JsonObject>().Any(o => o["qom-path"]?.GetValue<string>() is { } p && p.EndsWith("/" + id, StringComparison.Ordinal));
    }

    /// <summary>How long the guest may take to register a hotplugged vCPU (its ACPI processor driver handles QEMU's
    /// hotplug event asynchronously, after <c>device_add</c> has returned; a TCG guest under load is slow).</summary>
    public TimeSpan CpuRegisterTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Brings the new CPUs online through Volt's exec agent; a guest without it (disk boot) onlines them itself. The
    /// guest kernel registers a hotplugged CPU asynchronously, so onlining right after <c>device_add</c> can find only
    /// the CPUs it booted with: first wait (bounded by <see cref="CpuRegisterTimeout"/>) until the guest's sysfs holds
    /// <paramref name="cpus"/> <c>cpuN</c> directories, each but cpu0 with its <c>online</c> file (created just after
    /// the directory), looking every 200 ms with one short command (globs expanded by <c>echo</c>: no shell loop, no
    /// <c>ls</c> in the guest); then write <c>online</c> of each offline one.
    /// </summary>
    private async Task<string> OnlineAsync(string name, int cpus, CancellationToken ct)
    {
        if (store.Config(name).Kernel is null) return "; the guest brings them online (echo 1 > /sys/devices/system/cpu/cpuN/online)";
        var exec = new VmExec(store);
        try
        {
            var deadline = DateTime.UtcNow + CpuRegisterTimeout;
            while (true)
            {
                var seen = await exec.RunAsync(name, "echo /sys/devices/system/cpu/cpu[0-9]* /sys/devices/system/cpu/cpu[0-9]*/online", TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                var registered = GuestCpusRegistered(seen.Output);
                if (registered >= cpus) break;
                if (DateTime.UtcNow > deadline)
                    return string.Create(CultureInfo.InvariantCulture,
                        $"; the guest registered {registered} of {cpus} CPUs within {CpuRegisterTimeout.TotalSeconds:0}s (online a late one in the guest: echo 1 > /sys/devices/system/cpu/cpuN/online)");
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
            var r = await exec.RunAsync(name,
                "for c in /sys/devices/system/cpu/cpu[0-9]*; do [ -e $c/online ] && [ \"$(cat $c/online)\" = 0 ] && echo 1 > $c/online; done; cat /sys/devices/system/cpu/online",
                TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            return $"; online in the guest: {r.Output.Trim()}";
        }
        catch (VoltException e) { return $"; not brought online by Volt's agent ({e.Message})"; }
    }

    /// <summary>
    /// How many CPUs the guest has registered, from an <c>echo</c> of <c>cpu[0-9]*</c> and <c>cpu[0-9]*/online</c> under
    /// /sys/devices/system/cpu: the <c>cpuN</c> directories, not counting one (but cpu0, which x86 cannot offline) whose
    /// <c>online</c> file is not there yet. An unmatched glob prints itself, which counts none.
    /// </summary>
    internal static int GuestCpusRegistered(string echoed)
    {
        const string prefix = "/sys/devices/system/cpu/cpu";
        var dirs = new HashSet<int>();
        var online = new HashSet<int>();
        foreach (var w in echoed.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!w.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = w[prefix.Length..];
            var file = rest.EndsWith("/online", StringComparison.Ordinal);
            if (file) rest = rest[..^"/online".Length];
            if (rest.Length == 0 || !rest.All(char.IsAsciiDigit) || !int.TryParse(rest, CultureInfo.InvariantCulture, out var n)) continue;
            (file ? online : dirs).Add(n);
        }
        return dirs.Count(n => n == 0 || online.Contains(n));
    }

    /// <summary>What the balloon holds now: the guest's usable memory in bytes (QMP <c>query-balloon</c>).</summary>
    public async Task<long> BalloonAsync(string name, CancellationToken ct = default)
    {
        await using var qmp = await QmpClient.ConnectAsync(store.QmpSocket(name), ct: ct).ConfigureAwait(false);
        return (await qmp.ExecuteAsync("query-balloon", null, ct).ConfigureAwait(false))?["actual"]?.GetValue<long>() ?? 0;
    }
}
