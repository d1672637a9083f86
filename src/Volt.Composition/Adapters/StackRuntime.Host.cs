using Volt.Compose.Execution;
using Volt.Compose.Planning;
using Volt.Core.Errors;
using Volt.Units;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Tasks;

namespace Volt.Composition.Adapters;

/// <summary>
/// A Constellation's <c>services:</c>, <c>tasks:</c> and <c>vms:</c>: the same runtime seam, driven through the
/// service, task and VM engines and their supervisor (systemd where it is PID 1, else voltd, started on demand; VMs
/// always under voltd). A service instance is
/// running while its process is; a task instance is "running" while its timer is armed (stop disarms it, start arms
/// it again, remove deletes the unit pair).
/// </summary>
public sealed partial class StackRuntime
{
    /// <summary>The host kind of an instance that is not a container (by which store holds it), or null.</summary>
    private WorkloadKind? HostKind(string instance) =>
        Containers.Records.Exists(instance) ? null
        : engines.TaskStore.Exists(instance) ? WorkloadKind.Task
        : engines.ServiceStore.Exists(instance) ? WorkloadKind.Service
        : engines.VmStore.Exists(instance) ? WorkloadKind.Vm
        : null;

    private InstanceStatus HostStatus(string instance)
    {
        switch (HostKind(instance))
        {
            case WorkloadKind.Task:
                return new InstanceStatus(engines.TaskStore.State(instance).Enabled ? InstanceState.Running : InstanceState.Created, InstanceHealth.None, null);
            case WorkloadKind.Service or WorkloadKind.Vm:
                var info = HostKind(instance) == WorkloadKind.Vm ? engines.VmDriver.Info(instance) : engines.ServiceDriver.Info(instance);
                var state = info.Status switch
                {
                    WorkloadStatus.Running or WorkloadStatus.Starting or WorkloadStatus.Restarting => InstanceState.Running,
                    WorkloadStatus.Failed => InstanceState.Failed,
                    _ => info.StartedAt is null ? InstanceState.Created : InstanceState.Exited,
                };
                return new InstanceStatus(state, InstanceHealth.None, info.ExitCode);
            default:
                return InstanceStatus.Missing;
        }
    }

    private async Task CreateHostAsync(InstanceSpec spec, CancellationToken ct)
    {
        if (spec.Kind == InstanceKinds.Vm)
        {
            await engines.Vms.CreateAsync(new Volt.Vms.Machines.VmCreateRequest
            {
                Name = spec.Name, Image = spec.Image, Cpus = int.Parse(spec.Cpu ?? "1", System.Globalization.CultureInfo.InvariantCulture),
                Memory = spec.Memory ?? "512M", Kernel = spec.Kernel, Network = spec.Networks.Count > 0 ? spec.Networks[0].Network : null,
            }, n => Containers.Records.Exists(n) || engines.ServiceStore.Exists(n), ct).ConfigureAwait(false);
            return;
        }
        var env = spec.Env.Select(e => new KeyValuePair<string, string>(e[..e.IndexOf('=')], e[(e.IndexOf('=') + 1)..])).ToList();
        if (spec.Kind == InstanceKinds.Task)
        {
            var path = env.LastOrDefault(e => e.Key == "PATH").Value ?? ServiceEnvironment.DefaultPath;
            engines.Tasks.Create(new TaskSpec(spec.Name, spec.Schedule ?? "", spec.Command, User: spec.User, Env: spec.Env, Workdir: spec.Workdir), path);
            // Created, not armed: start arms it (as a container is created, then started).
            engines.Tasks.SetEnabled(spec.Name, false);
            return;
        }
        var user = spec.User?.Split(':', 2);
        engines.Services.Create(new ServiceSpec
        {
            Name = spec.Name, Command = spec.Command, Description = spec.Description ?? $"{stack}: {spec.Service}",
            User = user is [{ Length: > 0 } u, ..] ? u : null, Group = user is [_, { Length: > 0 } g] ? g : null,
            Environment = env, WorkingDirectory = spec.Workdir,
            Restart = spec.Restart switch { "always" => UnitRestart.Always, "on-failure" => UnitRestart.OnFailure, _ => UnitRestart.No },
        }, Containers.Records.Exists);
        var supervisor = await engines.ServiceSupervisorAsync(ct).ConfigureAwait(false);
        await supervisor.ReloadAsync(ct).ConfigureAwait(false);
    }

    private async Task StartHostAsync(WorkloadKind kind, string instance, CancellationToken ct)
    {
        if (kind == WorkloadKind.Vm)
        {
            using var client = await engines.VmDaemonAsync(ct).ConfigureAwait(false);
            await client.StartWorkloadAsync("vm", instance, ct).ConfigureAwait(false);
            return;
        }
        if (kind == WorkloadKind.Task)
        {
            engines.Tasks.SetEnabled(instance, true);
            await (await engines.TaskSupervisorAsync(ct).ConfigureAwait(false)).LoadAsync(instance, ct).ConfigureAwait(false);
            return;
        }
        await (await engines.ServiceSupervisorAsync(ct).ConfigureAwait(false)).StartAsync(WorkloadKind.Service, instance, ct).ConfigureAwait(false);
    }

    private async Task StopHostAsync(WorkloadKind kind, string instance, TimeSpan grace, CancellationToken ct)
    {
        if (kind == WorkloadKind.Vm)
        {
            using var client = await engines.VmDaemonAsync(ct).ConfigureAwait(false);
            await client.StopWorkloadAsync("vm", instance, grace, ct).ConfigureAwait(false);
            return;
        }
        if (kind == WorkloadKind.Task)
        {
            engines.Tasks.SetEnabled(instance, false);
            await (await engines.TaskSupervisorAsync(ct).ConfigureAwait(false)).LoadAsync(instance, ct).ConfigureAwait(false);
            return;
        }
        await (await engines.ServiceSupervisorAsync(ct).ConfigureAwait(false)).StopAsync(WorkloadKind.Service, instance, grace, ct).ConfigureAwait(false);
    }

    private async Task RemoveHostAsync(WorkloadKind kind, string instance, CancellationToken ct)
    {
        if (kind == WorkloadKind.Vm)
        {
            if (HostStatus(instance).State == InstanceState.Running)
            {
                using var client = await engines.VmDaemonAsync(ct).ConfigureAwait(false);
                await client.StopWorkloadAsync("vm", instance, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
            engines.Vms.Delete(instance);
            return;
        }
        if (kind == WorkloadKind.Task)
        {
            await (await engines.TaskSupervisorAsync(ct).ConfigureAwait(false)).RemoveAsync(instance, ct).ConfigureAwait(false);
            engines.Tasks.Delete(instance);
            return;
        }
        var supervisor = await engines.ServiceSupervisorAsync(ct).ConfigureAwait(false);
        if (HostStatus(instance).State == InstanceState.Running) await supervisor.StopAsync(WorkloadKind.Service, instance, null, ct).ConfigureAwait(false);
        engines.Services.Delete(instance);
        await supervisor.ReloadAsync(ct).ConfigureAwait(false);
    }
}
