using System.Diagnostics;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Network;
using Volt.Network.Host;
using Volt.Testing;
using Xunit;

namespace Volt.Network.Tests.Host;

/// <summary>
/// A private lab per test: a "host" network namespace the engine runs in (every ip/nft through
/// <c>ip netns exec</c>), container namespaces (named, or a sleeping <c>unshare --net</c> process for the PID path),
/// a temp VOLT_ROOT. Dispose kills what it started (by PID) and deletes the namespaces, which takes the bridge,
/// veths and nft table with them even when the test failed.
/// </summary>
public sealed class NetnsLab : IDisposable
{
    public static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public NetnsLab()
    {
        TestEnv.RequireRoot("creates network namespaces, bridges, veths and nft rules");
        TestEnv.RequireTool("ip");
        TestEnv.RequireTool("nft");
        Root = new TempDir("volt-net");
        HostNs = AddNamespace("h");
        Ip(HostNs, "link", "set", "lo", "up");
    }

    public TempDir Root { get; }
    public string HostNs { get; }
    public VoltPaths Paths => new(Root.Path);

    public NetworkManager Manager(IProcessRunner? runner = null, string subnet = "10.0.0.0/24") =>
        new(Paths, new NetworkOptions { Netns = HostNs, DefaultSubnet = subnet }, runner ?? new ProcessRunner());

    /// <summary>A named netns (<c>volt-test-&lt;id&gt;-&lt;suffix&gt;</c>), deleted on dispose.</summary>
    public string AddNamespace(string suffix)
    {
        var name = $"volt-test-{_id}-{suffix}";
        Must("ip", "netns", "add", name);
        _namespaces.Add(name);
        return name;
    }

    /// <summary>A process in a fresh network namespace of its own: what a container's PID 1 looks like to the engine.</summary>
    public int StartContainerProcess()
    {
        var p = Start("unshare", "--net", "sleep", "300");
        // unshare execs sleep once the namespace exists; wait until the PID's netns differs from ours.
        var self = File.ResolveLinkTarget("/proc/self/ns/net", false)?.ToString();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if (File.ResolveLinkTarget($"/proc/{p.Id}/ns/net", false)?.ToString() != self &&
                    File.ReadAllText($"/proc/{p.Id}/comm").Trim() == "sleep") return p.Id;
            }
            catch (IOException) { }
            Thread.Sleep(10);
        }
        throw new InvalidOperationException("unshare --net sleep did not start");
    }

    /// <summary>A TCP server replying "hello from &lt;tag&gt;" to each connection, run by <paramref name="prefix"/> (<see cref="In"/> or nsenter by PID).</summary>
    public void StartTcpServer(string[] prefix, int port, string tag)
    {
        var code = "import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                   $"s.bind(('0.0.0.0',{port})); s.listen(16)\nwhile True:\n  c,_=s.accept(); c.sendall(b'hello from {tag}'); c.close()\n";
        Start(prefix[0], [.. prefix[1..], Python, "-c", code]);
        WaitFor(() => Run([.. prefix, "ss", "-Hltn", $"sport = :{port}"]).Out.Contains("LISTEN"), $"listener on :{port}");
    }

    /// <summary>
    /// An "outside" namespace behind an uplink veth of the lab's host (host 192.168.99.2, outside 192.168.99.1), with a
    /// server on each of <paramref name="ports"/> that replies with the peer's address. It has no route to Volt's
    /// subnets: only NAT gets replies back.
    /// </summary>
    public string AddOutside(params int[] ports)
    {
        var outside = AddNamespace("out");
        Must("ip", "-n", HostNs, "link", "add", "uplink", "type", "veth", "peer", "name", "wan", "netns", outside);
        Must("ip", "-n", HostNs, "addr", "add", "192.168.99.2/24", "dev", "uplink");
        Must("ip", "-n", HostNs, "link", "set", "uplink", "up");
        Must("ip", "-n", outside, "addr", "add", "192.168.99.1/24", "dev", "wan");
        Must("ip", "-n", outside, "link", "set", "wan", "up");
        Must("ip", "-n", outside, "link", "set", "lo", "up");
        foreach (var port in ports)
        {
            var code = "import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n" +
                       $"s.bind(('0.0.0.0',{port})); s.listen(4)\nwhile True:\n  c,a=s.accept(); c.sendall(a[0].encode()); c.close()\n";
            StartProcess([.. In(outside), Python, "-c", code]);
            WaitFor(() => RunIn(outside, "ss", "-Hltn", $"sport = :{port}").Out.Contains("LISTEN"), $"outside listener :{port}");
        }
        return outside;
    }

    /// <summary>One connection attempt with a 2 s timeout (no retries: for "must not connect").</summary>
    public static string FetchOnce(string ns, string address, int port)
    {
        var code = $"import socket\ns=socket.create_connection(('{address}',{port}),timeout=2)\nprint(s.recv(100).decode())";
        var r = RunIn(ns, Python, "-c", code);
        return r.Code == 0 ? r.Out.Trim() : "";
    }

    /// <summary>Connects from inside <paramref name="ns"/> and returns what the server said ("" on failure); retries briefly.</summary>
    public string Fetch(string ns, string address, int port)
    {
        var code = $"import socket\ns=socket.create_connection(('{address}',{port}),timeout=2)\nprint(s.recv(100).decode())";
        for (var i = 0; i < 5; i++)
        {
            var r = RunIn(ns, Python, "-c", code);
            if (r.Code == 0) return r.Out.Trim();
            Thread.Sleep(200);
        }
        return "";
    }

    /// <summary>Ping with short timeouts and retries: the first packets after a veth comes up can lose ARP.</summary>
    public bool Ping(string ns, string address)
    {
        for (var i = 0; i < 6; i++)
            if (RunIn(ns, "ping", "-c", "1", "-W", "1", address).Code == 0) return true;
        return false;
    }

    public (int Code, string Out, string Err) Ip(string ns, params string[] args) => Run(["ip", "-n", ns, .. args]);

    public string NftTable() => RunIn(HostNs, "nft", "list", "table", "inet", "volt").Out;

    public bool LinkExists(string ns, string name) => Ip(ns, "link", "show", "dev", name).Code == 0;

    public static (int Code, string Out, string Err) Run(params string[] argv) => TestEnv.Run(argv[0], argv[1..]);

    /// <summary>The command prefix that enters the named netns <paramref name="ns"/> (its network only: not
    /// <c>ip netns exec</c>, which also remounts /sys and hides the cgroup mounts).</summary>
    public static string[] In(string ns) => ["nsenter", NetArg(ns)];

    /// <summary>nsenter's argument that enters the named netns <paramref name="ns"/>.</summary>
    public static string NetArg(string ns) => $"--net={LinkDriver.NetnsPath(ns)}";

    /// <summary><paramref name="argv"/> run inside the named netns <paramref name="ns"/>.</summary>
    public static (int Code, string Out, string Err) RunIn(string ns, params string[] argv) => Run([.. In(ns), .. argv]);

    public static void MustIn(string ns, params string[] argv) => Must([.. In(ns), .. argv]);

    public static void Must(params string[] argv)
    {
        var r = Run(argv);
        if (r.Code != 0) throw new InvalidOperationException($"{string.Join(' ', argv)} failed: {r.Err}");
    }

    public static void WaitFor(Func<bool> condition, string what)
    {
        for (var i = 0; i < 100; i++) { if (condition()) return; Thread.Sleep(50); }
        throw new TimeoutException($"timed out waiting for {what}");
    }

    /// <summary>Starts a background process (killed by PID on dispose).</summary>
    public void StartProcess(string[] argv) => Start(argv[0], argv[1..]);

    private Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(5000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        foreach (var ns in Enumerable.Reverse(_namespaces)) Run("ip", "netns", "del", ns);
        Root.Dispose();
    }
}
