using System.Net;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Mesh.Etcd;

namespace Volt.Commands.Mesh;

/// <summary><c>--etcd-embedded</c>: etcd-server as the volt-etcd service (data under the mesh directory), waited for until it answers.</summary>
internal static class EmbeddedEtcd
{
    public static async Task<string> StartAsync(VoltContext ctx, string listen, CancellationToken ct)
    {
        if (!IPAddress.TryParse(listen, out var ip)) throw VoltException.Usage($"invalid --etcd-listen \"{listen}\": an IP address");
        var exe = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, "etcd")).FirstOrDefault(File.Exists)
            ?? throw new VoltException(ExitCode.Dependency, "etcd is not installed (Debian: apt-get install etcd-server)");
        var host = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
        var client = $"http://{host}:2379";
        var peer = $"http://{host}:2380";
        var argv = new List<string>
        {
            exe, "--name", "volt", "--data-dir", ctx.Engines.Mesh.Files.EtcdDataDir,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"volt={peer}",
        };
        var text = Workloads.Services.VoltUnits.Server(MeshCommands.EtcdUnit, "etcd for the Volt mesh", argv, ctx.Paths.IsRelocated ? ctx.Paths.Root : null);
        var services = ctx.Engines.Services;
        if (services.Store.Exists(MeshCommands.EtcdUnit)) services.Replace(MeshCommands.EtcdUnit, text); else services.Install(MeshCommands.EtcdUnit, text);
        var supervisor = await ctx.Engines.ServiceSupervisorAsync(ct).ConfigureAwait(false);
        await supervisor.StartAsync(Workloads.Model.WorkloadKind.Service, MeshCommands.EtcdUnit, ct).ConfigureAwait(false);
        using var etcd = new EtcdClient([client], TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try { await etcd.RangeAsync("/volt/", ct: ct).ConfigureAwait(false); return client; }
            catch (VoltException) when (DateTime.UtcNow < deadline) { await Task.Delay(200, ct).ConfigureAwait(false); }
            catch (VoltException e) { throw new VoltException(ExitCode.Timeout, $"the volt-etcd service did not answer at {client} within 20 s ({e.Message}); see volt service logs {MeshCommands.EtcdUnit}"); }
        }
    }
}
