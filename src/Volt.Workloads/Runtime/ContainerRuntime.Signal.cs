namespace Volt.Workloads.Runtime;

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// Sends <paramref name="signal"/> to the container's payload: nspawn's stub init's child (<c>--as-pid2</c>), or PID 1
    /// itself for an init. False when the container has no payload (yet, or any more).
    /// </summary>
    public bool SignalPayload(string name, int signal)
    {
        if (!_watches.TryGetValue(name, out var w)) return false;
        if (ProcFs.ContainerInit(w.Pid, ownNetwork: false) is not { } pid1) return false;
        var config = _host.Store.TryConfig(name);
        var target = config is not null && Nspawn.NspawnCommand.RunsInit(config) ? pid1 : ProcFs.Children(pid1).FirstOrDefault();
        return target > 0 && Native.Kill(target, signal);
    }
}
