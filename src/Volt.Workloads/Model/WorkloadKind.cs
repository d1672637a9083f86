using System.Text.Json.Serialization;

namespace Volt.Workloads.Model;

/// <summary>What a workload is; each kind has its own <see cref="IWorkloadDriver"/> (how it is materialised and launched).</summary>
[JsonConverter(typeof(WorkloadKindJson))]
public enum WorkloadKind
{
    /// <summary>systemd-nspawn machine, unit <c>volt-container@NAME.service</c>.</summary>
    [JsonStringEnumMemberName("container")] Container,
    /// <summary>A host process, unit <c>NAME.service</c>.</summary>
    [JsonStringEnumMemberName("service")] Service,
    /// <summary>A scheduled oneshot, units <c>volt-task-NAME.timer</c> + <c>.service</c>.</summary>
    [JsonStringEnumMemberName("task")] Task,
    /// <summary>A QEMU/KVM machine, unit <c>volt-vm@NAME.service</c>.</summary>
    [JsonStringEnumMemberName("vm")] Vm,
}

/// <summary>The words <c>volt ps</c> prints for a kind.</summary>
public static class WorkloadKinds
{
    public static string Word(this WorkloadKind kind) => kind switch
    {
        WorkloadKind.Container => "container",
        WorkloadKind.Service => "service",
        WorkloadKind.Task => "task",
        WorkloadKind.Vm => "vm",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary><see cref="WorkloadKind"/>'s words in JSON, without the stock converter's first-use reflection.</summary>
public sealed class WorkloadKindJson() : Volt.Core.Json.WordEnumConverter<WorkloadKind>((WorkloadKind.Container, "container"), (WorkloadKind.Service, "service"), (WorkloadKind.Task, "task"), (WorkloadKind.Vm, "vm"));
