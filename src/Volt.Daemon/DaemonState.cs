using System.Globalization;
using System.Text;
using Volt.Workloads.Runtime;

namespace Volt.Daemon;

/// <summary>voltd's state in words for SIGUSR1's dump: its workloads by kind, the API's requests in flight.</summary>
internal static class DaemonState
{
    public static string Summary(ContainerRuntime runtime, WorkloadHandlers workloads, DaemonDispatcher api)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"api: {api.InFlight} request(s) in flight, {api.Served} answered since start\n");
        s.Append(CultureInfo.InvariantCulture, $"containers running: {runtime.Running.Count}");
        if (runtime.Running.Count > 0) s.Append(" (").Append(string.Join(", ", runtime.Running.Take(50))).Append(runtime.Running.Count > 50 ? ", …)" : ")");
        s.Append('\n');
        foreach (var h in workloads.All)
        {
            try
            {
                var list = h.ListAsync(CancellationToken.None).GetAwaiter().GetResult();
                s.Append(CultureInfo.InvariantCulture, $"{h.Kind}: {list.Count} workload(s)");
                if (list.Count > 0) s.Append(": ").Append(string.Join(", ", list.Take(50).Select(w => $"{w.Name} {w.Status}")));
                s.Append('\n');
            }
            catch (Exception e) { s.Append(CultureInfo.InvariantCulture, $"{h.Kind}: (unavailable: {e.Message})\n"); }
        }
        s.Append(CultureInfo.InvariantCulture, $"managed memory: {GC.GetTotalMemory(false) / 1024} KiB, thread pool threads: {ThreadPool.ThreadCount}, pending work items: {ThreadPool.PendingWorkItemCount}");
        return s.ToString();
    }
}
