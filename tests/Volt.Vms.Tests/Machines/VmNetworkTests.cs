using System.Diagnostics;
using Shouldly;
using Volt.Composition.Adapters;
using Volt.Network;
using Volt.Network.Addressing;
using Volt.Network.Host;
using Volt.Testing;
using Volt.Vms.Machines;
using Volt.Vms.Qemu;
using Volt.Vms.Tests.Support;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Services;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// A VM and a container on one Volt network, by name through volt-dns (issue 14 item 4), inside network namespaces
/// the test creates: a "host" namespace holding volt0, the VM's TAP, table inet volt and the real <c>volt dns serve</c>;
/// a container namespace attached by the same <see cref="NetworkManager"/> as a container's (veth, IPAM, record).
/// The VM (real QEMU, TCG, started inside the host namespace) gets its address on the kernel command line.
/// Each side pings the other by name; the names resolve at volt-dns on the gateway; a published port reaches a
/// listener in the guest through the same DNAT as a container's. One boot.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class VmNetworkTests(VmFixture fx) : IAsyncLifetime
{
    private const string Vm = "netvm1";
    private const string Container = "web";
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> _namespaces = [];
    private Process? _dns;
    private readonly System.Text.StringBuilder _dnsLog = new();

    private string DnsLog() { lock (_dnsLog) return _dnsLog.ToString(); }
    private VmRuntime? _runtime;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private string Netns(string suffix)
    {
        var name = $"volt-test-{_id}-{suffix}";
        Must("ip", "netns", "add", name);
        _namespaces.Add(name);
        Must("nsenter", Volt.Testing.Netns.Enter(name), "ip", "link", "set", "lo", "up");
        return name;
    }

    private static string Must(string file, params string[] args)
    {
        var r = TestEnv.Run(file, args);
        r.Code.ShouldBe(0, $"{file} {string.Join(' ', args)}: {r.Err}");
        return r.Out;
    }

    // Explicit in s7 (the agent answered before the image's init had mounted /proc: "ping: not found"); back since the
    // initramfs moves /proc into the root and the agent waits for switch_root (VmExecTests holds that window open).
    [Fact]
    public async Task AContainerAndAVm_OnOneNetwork_PingEachOtherByName_ThroughVoltDns()
    {
        fx.Require();
        TestEnv.RequireTool("ip");
        TestEnv.RequireTool("nft");
        TestEnv.RequireTool("unshare");
        var host = Netns("h");
        var ctr = Netns("c");
        var net = new NetworkManager(fx.Paths, new NetworkOptions { Netns = host, DefaultSubnet = "10.77.0.0/24" }, fx.Processes);
        var c = await net.AttachAsync(Container, null, new NetnsTarget.Named(ctr), []);
        c.Gateway.ShouldBe("10.77.0.1");
        _dns = await ServeDnsAsync(host, c.Gateway);

        _runtime = new VmRuntime(fx.Engine, new ServiceLauncher(CgroupDetector.Detect(fx.Paths), fx.Paths.Lib), new AccelProbe(fx.Paths),
            new VmNetworkAttacher(net), label: "test-net");
        await fx.Engine.CreateAsync(new VmCreateRequest
        {
            Name = Vm, Image = VmFixture.Image, Kernel = "minimal", Memory = "192M", Accel = "tcg", Network = "volt0",
            Publish = ["18080:80"],
        });
        await _runtime.StartAsync(Vm);
        var vmIp = fx.Engine.Store.State(Vm).Ip!;
        vmIp.ShouldStartWith("10.77.0.");
        vmIp.ShouldNotBe(c.Address);
        var exec = new VmExec(fx.Engine.Store);
        (await exec.RunAsync(Vm, "true", TimeSpan.FromMinutes(8))).ExitCode.ShouldBe(0, "the guest's agent answers");

        // The guest: its address and its resolver (volt-dns on the gateway) from the kernel command line, the container by name.
        var g = await exec.RunAsync(Vm, $"cat /etc/resolv.conf; ip -4 addr show eth0; nslookup {Container}; ping -c 3 -W 5 {Container}", TimeSpan.FromSeconds(120));
        g.Output.ShouldContain(vmIp + "/24");
        g.Output.ShouldContain($"nameserver {c.Gateway}", customMessage: "Volt's initramfs points the guest's resolv.conf at volt-dns");
        g.Output.ShouldContain($"({c.Address})", customMessage: $"{g.Output}\nvolt-dns: {DnsLog()}");
        g.ExitCode.ShouldBe(0, g.Output);

        // The container: its namespace with an /etc/resolv.conf of volt-dns (a private mount namespace), the VM by name.
        var resolv = Path.Combine(fx.Paths.Root, "ctr-resolv.conf");
        await File.WriteAllTextAsync(resolv, $"nameserver {c.Gateway}\n");
        var r = TestEnv.Run("unshare", "--mount", "--propagation", "private", "sh", "-c",
            $"mount --bind '{resolv}' /etc/resolv.conf && exec nsenter --net=/run/netns/{ctr} ping -c 3 -W 2 {Vm}");
        r.Code.ShouldBe(0, r.Out + r.Err);
        r.Out.ShouldContain(vmIp);

        // A published port: the same nft DNAT as a container's, to a listener in the guest.
        var h = await exec.RunAsync(Vm, "mkdir -p /www && echo hello-from-vm > /www/index.html && httpd -p 80 -h /www", TimeSpan.FromSeconds(30));
        h.ExitCode.ShouldBe(0, h.Output);
        Fetch(host, "127.0.0.1", 18080).ShouldBe("hello-from-vm");
        Fetch(host, c.Gateway, 18080).ShouldBe("hello-from-vm");

        await _runtime.StopAsync(Vm, TimeSpan.FromSeconds(1));
        net.Store.Attachments().ShouldNotContain(a => a.Container == Vm, "the VM's attachment goes with QEMU");
        Must("nsenter", Volt.Testing.Netns.Enter(host), "ip", "link", "show", "master", "volt0").ShouldNotContain(NetworkManager.TapName(Vm));
    }

    /// <summary>An HTTP GET from inside a namespace, tried until it answers or 90 s passed (a TCG guest under CI's load is
    /// slow); the body, or what the last try said.</summary>
    private static string Fetch(string netns, string address, int port)
    {
        var code = $"import urllib.request\nprint(urllib.request.urlopen('http://{address}:{port}/', timeout=5).read().decode().strip())";
        var last = "";
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var r = TestEnv.Run("nsenter", Volt.Testing.Netns.Enter(netns), "python3", "-c", code);
            if (r.Code == 0) return r.Out.Trim();
            last = r.Err;
            Thread.Sleep(300);
        }
        return "nothing answered within 90 s: " + last.Trim().Split('\n').LastOrDefault();
    }

    /// <summary>The real <c>volt dns serve</c> in the host namespace, on the network's gateway; returns once it listens.</summary>
    private async Task<Process> ServeDnsAsync(string netns, string gateway)
    {
        var psi = new ProcessStartInfo("nsenter", [Volt.Testing.Netns.Enter(netns), VoltBinary.Path, "dns", "serve"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        psi.Environment["VOLT_ROOT"] = fx.Paths.Root;
        psi.Environment["VOLT_COLOR"] = "never";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_dnsLog) _dnsLog.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var err = _dnsLog;
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { ready.TrySetException(new InvalidOperationException("volt dns serve exited: " + err)); return; }
            lock (err) err.AppendLine(e.Data);
            if (e.Data.Contains("listening on")) ready.TrySetResult(e.Data);
        };
        p.BeginErrorReadLine();
        (await ready.Task.WaitAsync(TimeSpan.FromSeconds(60))).ShouldContain(gateway + ":53");
        return p;
    }

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null)
        {
            try { await _runtime.StopAllAsync(TimeSpan.FromSeconds(1)); } catch (Exception) { }
            await _runtime.DisposeAsync();
        }
        if (_dns is not null)
        {
            try { if (!_dns.HasExited) { _dns.Kill(); await _dns.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token); } }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
            _dns.Dispose();
        }
        foreach (var ns in _namespaces) TestEnv.Run("ip", "netns", "delete", ns);
    }
}
