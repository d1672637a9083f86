using Volt.Compose.Model;
using Volt.Workloads.Model;

namespace Volt.Compose.Parsing;

/// <summary>Constellation <c>services:</c> (systemd services), <c>tasks:</c> (scheduled) and <c>vms:</c> entries.</summary>
internal static class HostWorkloadParser
{
    private static readonly string[] ServiceKeys = ["command", "description", "environment", "working_dir", "user", "restart", "depends_on"];
    private static readonly string[] TaskKeys = ["command", "description", "environment", "working_dir", "user", "schedule", "depends_on"];
    private static readonly string[] VmKeys = ["image", "kernel", "cpu", "memory", "networks", "depends_on", "description"];

    public static WorkloadSpec Parse(string name, Node node, WorkloadKind kind)
    {
        var w = new WorkloadSpec { Name = name, Kind = kind, Pos = node.Pos };
        var keys = kind switch { WorkloadKind.Service => ServiceKeys, WorkloadKind.Task => TaskKeys, _ => VmKeys };
        foreach (var (key, k, v) in node.Map())
        {
            if (key.StartsWith("x-", StringComparison.Ordinal)) continue;
            if (!keys.Contains(key)) throw Node.Unknown(k, key, keys);
            switch (key)
            {
                case "command": w.Command = ServiceParser.CommandLine(v); break;
                case "description": w.Description = v.String(); break;
                case "environment": foreach (var (ek, ev) in ServiceParser.KeyValues(v)) w.Environment[ek] = ev; break;
                case "working_dir": w.WorkingDir = v.String(); break;
                case "user": w.User = v.String(); break;
                case "restart": w.Restart = v.String() is "no" or "always" or "on-failure" ? v.String() : throw v.Error("must be no, on-failure or always"); break;
                case "schedule": w.Schedule = v.String(); break;
                case "image": w.Image = v.String(); break;
                case "kernel": w.VmKernel = v.String(); break;
                case "cpu": w.VmCpus = v.Int(1, 256); break;
                case "memory": w.VmMemory = v.String(); v.Bytes(); break;
                case "networks": foreach (var n in v.Strings()) w.Networks[n] = new ServiceNetwork([], null); break;
                case "depends_on":
                    // The same forms as a container's depends_on.
                    var probe = ServiceParser.Parse(name, new Node(new YamlDotNet.RepresentationModel.YamlMappingNode(
                        new YamlDotNet.RepresentationModel.YamlScalarNode("depends_on"), v.Yaml), v.File, node.Path), "/");
                    w.DependsOn = probe.Spec.DependsOn;
                    break;
            }
        }
        if (kind is WorkloadKind.Service or WorkloadKind.Task && w.Command is null or { Count: 0 }) throw node.Error("needs command:");
        if (kind is WorkloadKind.Task && w.Schedule is null) throw node.Error("needs schedule: (a calendar event such as daily or *-*-* 03:00:00)");
        if (kind is WorkloadKind.Vm && w.Image is null) throw node.Error("needs image:");
        return w;
    }
}
