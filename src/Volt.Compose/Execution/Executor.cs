using Volt.Compose.Model;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Compose.Execution;

public sealed record UpOptions
{
    public PlanOptions Plan { get; init; } = new();
    /// <summary>How long a dependency may take to become healthy or complete.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary><c>up --build</c>: every <c>build:</c> service's image is built again (the builder's step cache makes an
    /// unchanged context cheap; a changed one yields a new image, so its instances are recreated).</summary>
    public bool Build { get; init; }
    /// <summary>How often status is read while waiting.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// How long a start-first update's old instance keeps running after its DNS names moved to the new one, so a
    /// request resolved just before still reaches a live server.
    /// </summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Applies a <see cref="Plan"/>: networks and volumes first, then every service once its dependencies meet their
/// <c>depends_on</c> condition (independent branches run in parallel). A replaced instance follows its strategy —
/// <c>recreate</c> (stop the old, start the new) or <c>start-first</c> (the new one runs, and is healthy if it has a
/// check, before the old one stops) — and a failed replacement restores what ran before. On failure every instance
/// this <c>up</c> created is removed, so no half-started stack is left.
/// </summary>
public sealed class Executor(IStackRuntime runtime, StackStore store, TimeProvider time)
{
    private readonly Lock _stateLock = new();
    private string _stack = "";

    public async Task<StackState> UpAsync(StackModel model, ResolvedStack stack, UpOptions options, IProgress<StackProgress>? progress, CancellationToken ct)
    {
        _stack = stack.Name;
        var state = store.TryLoad(stack.Name) ?? new StackState { Name = stack.Name };
        state = state with
        {
            Files = model.Files, ProjectDir = model.ProjectDir,
            NetworkKeys = new(stack.Networks.DistinctBy(n => n.Name).ToDictionary(n => n.Name, n => n.Key, StringComparer.Ordinal), StringComparer.Ordinal),
        };
        Save(ref state, s => s);
        foreach (var n in stack.Networks.Where(n => !n.External))
            if (await runtime.EnsureNetworkAsync(n, ct).ConfigureAwait(false) || state.Networks.Contains(n.Name))
                Save(ref state, s => { s.Networks.Add(n.Name); return s; });
        foreach (var v in stack.Volumes.Where(v => !v.External))
            if (runtime.EnsureVolume(v.Name) || state.Volumes.Contains(v.Name))
                Save(ref state, s => { s.Volumes.Add(v.Name); return s; });
        foreach (var (path, content) in stack.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Volt.Core.IO.AtomicFile.WriteAllText(path, content);
        }

        // Image identities go into the hash: a re-pulled tag is a change.
        var services = new List<ResolvedService>();
        foreach (var s in stack.Services)
        {
            if (options.Plan.Services.Count > 0 && !options.Plan.Services.Contains(s.Name)) { services.Add(s); continue; }
            var instances = new List<InstanceSpec>();
            foreach (var i in s.Instances)
            {
                if (i.Kind is InstanceKinds.Service or InstanceKinds.Task) { instances.Add(i); continue; } // host services and tasks: no image
                string? id;
                try { id = await runtime.PrepareImageAsync(i, options.Build, ct).ConfigureAwait(false); }
                catch (VoltException e) { throw new VoltException(e.Code, $"service \"{s.Name}\": {e.Message}", e); }
                instances.Add(i with { ImageId = id });
                progress?.Report(new StackProgress(s.Name, i.Name, i.Build is null ? "pulled" : "built"));
            }
            services.Add(s with { Instances = instances });
        }
        stack = stack with { Services = services };
        var plan = Planner.Diff(stack, state, n => runtime.Status(n).State != InstanceState.Missing, options.Plan);

        var created = new List<string>();
        var tasks = new Dictionary<string, Task>(StringComparer.Ordinal);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var byName = stack.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var selected = stack.Services.Where(s => options.Plan.Services.Count == 0 || options.Plan.Services.Contains(s.Name)).Select(s => s.Name).ToHashSet();
        Task Run(string name)
        {
            lock (tasks)
            {
                if (tasks.TryGetValue(name, out var t)) return t;
                t = Task.Run(() => ServiceAsync(byName[name], plan, selected, Run, created, options, progress, failed.Token), failed.Token);
                tasks[name] = t;
                return t;
            }
        }
        try
        {
            var all = selected.Select(Run).ToList();
            await WhenAllFailFast(all, failed).ConfigureAwait(false);
            foreach (var a in plan.Actions.Where(a => a.Kind == ActionKind.Remove))
            {
                await RemoveInstanceAsync(a.Previous!, ct).ConfigureAwait(false);
                Save(ref state, s => { s.Instances.Remove(a.Instance); return s; });
                progress?.Report(new StackProgress(a.Service, a.Instance, "removed"));
            }
        }
        catch (Exception e) when (e is VoltException or OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(tasks.Values).ConfigureAwait(false); } catch { /* each failure is reported by the first one */ }
            // Nothing half-started: what this up created goes away again (replaced instances were restored by their service).
            foreach (var name in created.ToList())
            {
                try { await RemoveInstanceAsync(state.Instances.GetValueOrDefault(name) ?? new InstanceSpec { Name = name, Service = "", Image = "" }, CancellationToken.None).ConfigureAwait(false); }
                catch (VoltException) { }
                Save(ref state, s => { s.Instances.Remove(name); return s; });
            }
            if (e is OperationCanceledException && ct.IsCancellationRequested) throw new VoltException(ExitCode.Interrupted, "interrupted: the instances this up created were removed", e);
            throw;
        }
        return store.TryLoad(stack.Name)!;

        async Task ServiceAsync(ResolvedService s, Plan p, HashSet<string> sel, Func<string, Task> run, List<string> made, UpOptions o, IProgress<StackProgress>? prog, CancellationToken token)
        {
            foreach (var (dep, d) in s.DependsOn)
            {
                if (sel.Contains(dep)) await run(dep).ConfigureAwait(false);
                if (byName.TryGetValue(dep, out var ds)) await WaitConditionAsync(ds, d, o, prog, token).ConfigureAwait(false);
            }
            try { await ActionsAsync(s, p, made, o, prog, token).ConfigureAwait(false); }
            catch (VoltException e) when (!e.Message.StartsWith($"service \"{s.Name}\"", StringComparison.Ordinal)) { throw Named(s.Name, e, null); }
            catch (Exception e) when (e is TimeoutException or IOException or HttpRequestException or System.Net.Sockets.SocketException)
            {
                // Never a bare "The operation has timed out.": the service it happened to, and a timeout's own exit code.
                throw new VoltException(e is TimeoutException ? ExitCode.Timeout : ExitCode.General, $"service \"{s.Name}\": {e.Message}", e);
            }
        }

        async Task ActionsAsync(ResolvedService s, Plan p, List<string> made, UpOptions o, IProgress<StackProgress>? prog, CancellationToken token)
        {
            foreach (var a in p.For(s.Name).Where(a => a.Kind != ActionKind.Remove))
            {
                switch (a.Kind)
                {
                    case ActionKind.Keep:
                        if (runtime.Status(a.Instance).State != InstanceState.Running)
                        {
                            await runtime.StartAsync(a.Instance, token).ConfigureAwait(false);
                            prog?.Report(new StackProgress(s.Name, a.Instance, "started"));
                        }
                        else prog?.Report(new StackProgress(s.Name, a.Instance, "running"));
                        break;
                    case ActionKind.Create:
                        lock (made) made.Add(a.Desired!.Name);
                        await CreateAndStartAsync(a.Desired!, prog, token).ConfigureAwait(false);
                        Save(ref state, st => { st.Instances[a.Desired!.Name] = a.Desired; return st; });
                        break;
                    case ActionKind.Recreate:
                        await ReplaceAsync(a, made, o, prog, token).ConfigureAwait(false);
                        break;
                }
            }
        }
    }

    private async Task CreateAndStartAsync(InstanceSpec spec, IProgress<StackProgress>? progress, CancellationToken ct, bool announce = true)
    {
        await runtime.CreateAsync(spec, ct).ConfigureAwait(false);
        progress?.Report(new StackProgress(spec.Service, spec.Name, "created"));
        if (announce) await runtime.StartAsync(spec.Name, ct).ConfigureAwait(false);
        else await runtime.StartUnannouncedAsync(spec.Name, ct).ConfigureAwait(false);
        progress?.Report(new StackProgress(spec.Service, spec.Name, "started"));
    }

    private async Task ReplaceAsync(PlannedAction a, List<string> created, UpOptions o, IProgress<StackProgress>? progress, CancellationToken ct)
    {
        var old = a.Previous!;
        var next = a.Desired!;
        if (next.Strategy == "start-first")
        {
            // The new instance takes the other name of the pair (NAME / NAME-next alternate), so both can run at once.
            var twin = old.Name.EndsWith("-next", StringComparison.Ordinal) ? old.Name[..^5] : old.Name + "-next";
            var fresh = next with { Name = twin };
            if (runtime.Status(twin).State != InstanceState.Missing) await RemoveInstanceAsync(fresh, ct).ConfigureAwait(false);
            try
            {
                // The service name reaches the new instance only once it is ready (both answer it for a moment).
                await CreateAndStartAsync(fresh, progress, ct, announce: false).ConfigureAwait(false);
                await WaitReadyAsync(fresh, o, progress, ct).ConfigureAwait(false);
                await runtime.AnnounceAsync(fresh.Name, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VoltException or OperationCanceledException)
            {
                try { await RemoveInstanceAsync(fresh, CancellationToken.None).ConfigureAwait(false); } catch (VoltException) { }
                progress?.Report(new StackProgress(a.Service, old.Name, "rolled back", "the previous instance kept running"));
                throw Named(a.Service, e, "the previous instance kept running");
            }
            var state = store.TryLoad(_stack)!;
            Save(ref state, s => { s.Instances.Remove(old.Name); s.Instances[fresh.Name] = fresh; return s; });
            // Zero downtime: the service name stops resolving to the old instance first, then it drains, then it stops.
            await runtime.WithdrawAsync(old.Name, ct).ConfigureAwait(false);
            if (o.Drain > TimeSpan.Zero) await Task.Delay(o.Drain, time, ct).ConfigureAwait(false);
            await RemoveInstanceAsync(old, ct).ConfigureAwait(false);
            progress?.Report(new StackProgress(a.Service, old.Name, "replaced", fresh.Name));
            return;
        }
        await RemoveInstanceAsync(old, ct).ConfigureAwait(false);
        try
        {
            await CreateAndStartAsync(next with { Name = old.Name }, progress, ct).ConfigureAwait(false);
            var st = store.TryLoad(_stack)!;
            Save(ref st, s => { s.Instances[old.Name] = next with { Name = old.Name }; return s; });
        }
        catch (Exception e) when (e is VoltException or OperationCanceledException)
        {
            try { await RemoveInstanceAsync(next with { Name = old.Name }, CancellationToken.None).ConfigureAwait(false); } catch (VoltException) { }
            if (a.Previous == a.Desired) { lock (created) created.Add(old.Name); throw Named(a.Service, e, null); }
            // Roll back: what ran before, as it was.
            try
            {
                await CreateAndStartAsync(old, progress, CancellationToken.None).ConfigureAwait(false);
                progress?.Report(new StackProgress(a.Service, old.Name, "rolled back"));
            }
            catch (VoltException r) { throw new VoltException(r.Code, $"service \"{a.Service}\": {e.Message}; restoring the previous instance failed too: {r.Message}", e); }
            throw Named(a.Service, e, "the previous instance was restored");
        }
    }

    private static VoltException Named(string service, Exception e, string? note) => e switch
    {
        VoltException v => new VoltException(v.Code, $"service \"{service}\": {v.Message}{(note is null ? "" : $" ({note})")}", v),
        _ => new VoltException(ExitCode.Interrupted, $"service \"{service}\": interrupted", e),
    };

    /// <summary>Running, and healthy when it has a health check.</summary>
    private async Task WaitReadyAsync(InstanceSpec i, UpOptions o, IProgress<StackProgress>? progress, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + o.WaitTimeout;
        while (true)
        {
            var st = runtime.Status(i.Name);
            if (st.State is InstanceState.Exited or InstanceState.Failed or InstanceState.Missing)
                throw new VoltException(ExitCode.General, $"instance \"{i.Name}\" exited{(st.ExitCode is { } c ? $" with code {c}" : "")} right after starting");
            if (st.State == InstanceState.Running && st.Health is InstanceHealth.None or InstanceHealth.Healthy)
            {
                if (st.Health == InstanceHealth.Healthy) progress?.Report(new StackProgress(i.Service, i.Name, "healthy"));
                return;
            }
            if (st.Health == InstanceHealth.Unhealthy) throw new VoltException(ExitCode.General, $"instance \"{i.Name}\" is unhealthy");
            if (time.GetUtcNow() > deadline) throw new VoltException(ExitCode.Timeout, $"instance \"{i.Name}\" did not become healthy within {o.WaitTimeout.TotalSeconds:0}s");
            await Task.Delay(o.Poll, ct).ConfigureAwait(false);
        }
    }

    private async Task WaitConditionAsync(ResolvedService dep, DependencySpec d, UpOptions o, IProgress<StackProgress>? progress, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + o.WaitTimeout;
        var names = CurrentInstances(dep);
        if (d.Condition == DependencyCondition.ServiceHealthy && !dep.HasHealthcheck)
            throw new VoltException(ExitCode.InvalidConfig, $"service \"{dep.Name}\" has no healthcheck, so depends_on condition service_healthy can never be met");
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var done = true;
            foreach (var n in names)
            {
                var st = runtime.Status(n);
                switch (d.Condition)
                {
                    case DependencyCondition.ServiceStarted:
                        if (st.State == InstanceState.Missing) throw new VoltException(ExitCode.Dependency, $"dependency \"{dep.Name}\" has no instance \"{n}\"");
                        break;
                    case DependencyCondition.ServiceHealthy:
                        if (st.State is InstanceState.Exited or InstanceState.Failed or InstanceState.Missing)
                            throw new VoltException(ExitCode.Dependency, $"dependency \"{dep.Name}\" ({n}) exited before becoming healthy");
                        if (st.Health == InstanceHealth.Unhealthy) throw new VoltException(ExitCode.Dependency, $"dependency \"{dep.Name}\" ({n}) is unhealthy");
                        if (st.Health != InstanceHealth.Healthy) done = false;
                        else if (reported.Add(n)) progress?.Report(new StackProgress(dep.Name, n, "healthy"));
                        break;
                    case DependencyCondition.ServiceCompletedSuccessfully:
                        if (st.State is InstanceState.Exited && st.ExitCode is 0) { if (reported.Add(n)) progress?.Report(new StackProgress(dep.Name, n, "completed")); break; }
                        if (st.State is InstanceState.Exited or InstanceState.Failed)
                            throw new VoltException(ExitCode.Dependency, $"dependency \"{dep.Name}\" ({n}) exited with code {st.ExitCode?.ToString() ?? "?"}, not 0");
                        if (st.State == InstanceState.Missing) throw new VoltException(ExitCode.Dependency, $"dependency \"{dep.Name}\" has no instance \"{n}\"");
                        done = false;
                        break;
                }
            }
            if (done) return;
            if (time.GetUtcNow() > deadline)
                throw new VoltException(ExitCode.Timeout, $"dependency \"{dep.Name}\" did not become {(d.Condition == DependencyCondition.ServiceHealthy ? "healthy" : "complete")} within {o.WaitTimeout.TotalSeconds:0}s");
            await Task.Delay(o.Poll, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The instance names a service has now (a start-first update may have moved one to its twin).</summary>
    private List<string> CurrentInstances(ResolvedService s)
    {
        var recorded = store.TryLoad(_stack)?.Instances.Values.Where(i => i.Service == s.Name).Select(i => i.Name).ToList();
        return recorded is { Count: > 0 } ? recorded : [.. s.Instances.Select(i => i.Name)];
    }

    private async Task RemoveInstanceAsync(InstanceSpec i, CancellationToken ct)
    {
        var st = runtime.Status(i.Name);
        if (st.State == InstanceState.Missing) return;
        if (st.State == InstanceState.Running) await runtime.StopAsync(i.Name, TimeSpan.FromSeconds(i.StopGraceSeconds), ct).ConfigureAwait(false);
        await runtime.RemoveAsync(i.Name, ct).ConfigureAwait(false);
    }

    private static async Task WhenAllFailFast(List<Task> tasks, CancellationTokenSource cancel)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var t = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(t);
            if (t.IsFaulted || t.IsCanceled)
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                await t.ConfigureAwait(false);
            }
        }
    }

    private void Save(ref StackState state, Func<StackState, StackState> change)
    {
        lock (_stateLock)
        {
            var current = store.TryLoad(state.Name) ?? state;
            state = change(current) with { Updated = time.GetUtcNow() };
            store.Save(state);
        }
    }

    /// <summary>
    /// <c>down</c>: every recorded instance stopped (dependents first) and removed, then the networks the stack
    /// created, and its volumes only with <paramref name="removeVolumes"/>; the stack's record goes last.
    /// </summary>
    public async Task DownAsync(string stackName, ResolvedStack? stack, bool removeVolumes, IProgress<StackProgress>? progress, CancellationToken ct)
    {
        var state = store.TryLoad(stackName);
        var instances = state?.Instances.Values.ToList() ?? [];
        if (stack is not null)
            foreach (var s in stack.Services)
                foreach (var i in s.Instances)
                    if (!instances.Any(x => x.Name == i.Name) && runtime.Status(i.Name).State != InstanceState.Missing) instances.Add(i);
        var order = stack?.Services.Select(s => s.Name).ToList() ?? [];
        var depth = Depths(stack);
        // At most 8 at once: a 30-service level sent 29 stops to the supervisor together.
        using var slots = new SemaphoreSlim(8, 8);
        foreach (var group in instances.GroupBy(i => depth.GetValueOrDefault(i.Service)).OrderByDescending(g => g.Key))
            await Task.WhenAll(group.Select(async i =>
            {
                await slots.WaitAsync(ct).ConfigureAwait(false);
                try { await RemoveInstanceAsync(i, ct).ConfigureAwait(false); }
                finally { slots.Release(); }
                progress?.Report(new StackProgress(i.Service, i.Name, "removed"));
            })).ConfigureAwait(false);
        foreach (var n in state?.Networks ?? [])
        {
            await runtime.RemoveNetworkAsync(n, ct).ConfigureAwait(false);
            progress?.Report(new StackProgress("", n, "network removed"));
        }
        if (removeVolumes)
            foreach (var v in (state?.Volumes ?? []).Concat(stack?.Volumes.Where(v => !v.External).Select(v => v.Name) ?? []).Distinct())
            {
                runtime.RemoveVolume(v);
                progress?.Report(new StackProgress("", v, "volume removed"));
            }
        if (state is not null)
        {
            if (removeVolumes || state.Volumes.Count == 0) store.Delete(stackName);
            else store.Save(state with { Instances = new(StringComparer.Ordinal), Networks = new(StringComparer.Ordinal), Updated = time.GetUtcNow() });
        }
    }

    /// <summary>Dependency depth per service (0 = depends on nothing); down stops the deepest first.</summary>
    private static Dictionary<string, int> Depths(ResolvedStack? stack)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (stack is null) return result;
        var by = stack.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        int Depth(string n, int guard) => guard > by.Count ? 0 : result.TryGetValue(n, out var d) ? d
            : result[n] = by.TryGetValue(n, out var s) && s.DependsOn.Count > 0 ? 1 + s.DependsOn.Keys.Max(k => Depth(k, guard + 1)) : 0;
        foreach (var s in stack.Services) Depth(s.Name, 0);
        return result;
    }
}
