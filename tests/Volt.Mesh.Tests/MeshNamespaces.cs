using System.Diagnostics;
using System.Text.Json.Nodes;
using Volt.Testing;
using Xunit;

namespace Volt.Mesh.Tests;

/// <summary>
/// Three "hosts" = three network namespaces on a bridge in a fourth (the underlay, 10.231.X.0/24), each with its own
/// VOLT_ROOT and interface name (UAPI sockets are shared), a real etcd-server bound inside host 1. Everything is
/// removed at the end: processes by PID, links, namespaces, roots.
/// </summary>
public sealed class MeshNamespaces : IAsyncLifetime
{
    private static int _instances;
    // Unique per fixture instance too (two classes each have one): names of links and UAPI sockets are machine-wide.
    public readonly string Id = ((Environment.ProcessId * 4 + Interlocked.Increment(ref _instances)) % 0xffff).ToString("x4");
    public string Underlay => $"vmu{Id}";
    public string Ns(int i) => $"vmh{i}{Id}";
    public string Iface(int i) => $"vm{Id}h{i}";
    public string Addr(int i) => $"{Subnet}.{i}";
    public string Subnet { get; }
    public string EtcdUrl => $"http://{Addr(1)}:23790";
    public readonly TempDir Dir = new();
    public string Root(int i) => Path.Combine(Dir.Path, $"h{i}");
    public Process? Etcd;
    public readonly Dictionary<int, Process> Agents = [];
    /// <summary>Other processes the test spawned in a namespace (volt dns serve…): killed by PID at the end.</summary>
    public readonly List<Process> Spawned = [];
    /// <summary>Volt roots besides the three hosts' (their voltd and containers are cleaned up too).</summary>
    public readonly List<string> ExtraRoots = [];
    public bool Ready { get; private set; }

    public MeshNamespaces()
    {
        Subnet = $"10.231.{Environment.ProcessId % 200 + 20}";
    }

    public async ValueTask InitializeAsync()
    {
        if (!TestEnv.IsRoot || !TestEnv.HasTool("wireguard-go") || !TestEnv.HasTool("etcd") || !TestEnv.HasTool("wg")) return;
        await Task.Yield();
        Cleanup();
        Must("ip", "netns", "add", Underlay);
        Must("ip", "-n", Underlay, "link", "add", "br0", "type", "bridge");
        Must("ip", "-n", Underlay, "link", "set", "br0", "up");
        for (var i = 1; i <= 3; i++)
        {
            Must("ip", "netns", "add", Ns(i));
            Must("ip", "-n", Underlay, "link", "add", $"b{i}", "type", "veth", "peer", "name", "eth0", "netns", Ns(i));
            Must("ip", "-n", Underlay, "link", "set", $"b{i}", "master", "br0", "up");
            Must("ip", "-n", Ns(i), "address", "add", $"{Addr(i)}/24", "dev", "eth0");
            Must("ip", "-n", Ns(i), "link", "set", "eth0", "up");
            Must("ip", "-n", Ns(i), "link", "set", "lo", "up");
            Directory.CreateDirectory(Root(i));
        }
        StartEtcd();
        Ready = true;
    }

    public void StartEtcd()
    {
        var data = Path.Combine(Dir.Path, "etcd");
        Etcd = Spawn(1, null, "etcd", "--name", "t", "--data-dir", data, "--listen-client-urls", EtcdUrl, "--advertise-client-urls", EtcdUrl,
            "--listen-peer-urls", "http://127.0.0.1:23800", "--initial-advertise-peer-urls", "http://127.0.0.1:23800",
            "--initial-cluster", "t=http://127.0.0.1:23800", "--log-level", "error");
        Eventually(() => Curl(1, "/v3/kv/range", "{\"key\":\"eA==\"}").Code == 0, TimeSpan.FromSeconds(30), "etcd to answer inside the namespace");
    }

    public void StopEtcd()
    {
        if (Etcd is null) return;
        try { Etcd.Kill(); Etcd.WaitForExit(10_000); } catch (InvalidOperationException) { }
        Etcd.Dispose();
        Etcd = null;
    }

    /// <summary>volt with host <paramref name="i"/>'s root inside its namespace.</summary>
    public (int Code, string Out, string Err) Volt(int i, params string[] args) =>
        TestEnv.Run("nsenter", [Netns.Enter(Ns(i)), VoltBinary.Path, .. args],
            new Dictionary<string, string> { ["VOLT_ROOT"] = Root(i), ["VOLT_COLOR"] = "never" }, null);

    public (int Code, string Out, string Err) In(int i, params string[] args) => TestEnv.Run("nsenter", [Netns.Enter(Ns(i)), .. args]);

    /// <summary>A POST to etcd's JSON gateway from inside host 1.</summary>
    public (int Code, string Out, string Err) Curl(int i, string path, string body) =>
        In(i, "curl", "-sf", "--max-time", "3", "-X", "POST", EtcdUrl + path, "-d", body);

    /// <summary>How many keys the mesh holds in etcd.</summary>
    public int KeyCount()
    {
        // "/volt/" .. "/volt0"
        var r = Curl(1, "/v3/kv/range", "{\"key\":\"L3ZvbHQv\",\"range_end\":\"L3ZvbHQw\",\"count_only\":true}");
        if (r.Code != 0) throw new InvalidOperationException("etcd range failed: " + r.Err);
        return int.Parse(JsonNode.Parse(r.Out)?["count"]?.GetValue<string>() ?? "0");
    }

    public void StartAgent(int i) => Agents[i] = Spawn(i, Root(i), VoltBinary.Path, "mesh", "agent");

    public void StopAgent(int i, bool kill9)
    {
        if (!Agents.Remove(i, out var p)) return;
        try
        {
            if (kill9) p.Kill();
            else TestEnv.Run("kill", "-TERM", p.Id.ToString());
            p.WaitForExit(15_000);
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    /// <summary>The peers' public keys wireguard reports for host <paramref name="i"/> (<c>wg show IFACE peers</c>).</summary>
    public string[] WgPeers(int i)
    {
        var r = In(i, "wg", "show", Iface(i), "peers");
        return r.Code == 0 ? r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
    }

    public bool Ping(int from, string to) => In(from, "ping", "-c1", "-W1", to).Code == 0;

    public static void Eventually(Func<bool> ok, TimeSpan within, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!ok())
        {
            if (sw.Elapsed > within) throw new TimeoutException($"waited {within.TotalSeconds:0} s for {what}");
            Thread.Sleep(100);
        }
    }

    public Process Spawn(int i, string? root, string file, params string[] args)
    {
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Netns.Enter(Ns(i)));
        psi.ArgumentList.Add(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (root is not null) psi.Environment["VOLT_ROOT"] = root;
        var log = File.AppendText(Path.Combine(Dir.Path, $"{Path.GetFileName(file)}-h{i}.log"));
        log.AutoFlush = true;
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public string Log(string name) => File.Exists(Path.Combine(Dir.Path, name)) ? File.ReadAllText(Path.Combine(Dir.Path, name)) : "";

    private static void Must(params string[] args)
    {
        var r = TestEnv.Run(args[0], args[1..]);
        if (r.Code != 0) throw new InvalidOperationException($"{string.Join(' ', args)}: {r.Err}");
    }

    private void Cleanup()
    {
        foreach (var i in Agents.Keys.ToList()) StopAgent(i, kill9: true);
        foreach (var p in Spawned)
        {
            try { if (!p.HasExited) { p.Kill(); p.WaitForExit(5_000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        Spawned.Clear();
        foreach (var root in Enumerable.Range(1, 3).Select(Root).Concat(ExtraRoots)) VoltRootCleanup.Run(root);
        StopEtcd();
        for (var i = 1; i <= 5; i++)
        {
            TestEnv.Run("ip", "-n", Ns(i), "link", "del", Iface(i));
            KillWireguardGo(Iface(i));
            TestEnv.Run("ip", "netns", "del", Ns(i));
        }
        TestEnv.Run("ip", "netns", "del", Underlay);
    }

    /// <summary>wireguard-go daemons of this fixture's interfaces, by PID (their links may already be gone).</summary>
    private static void KillWireguardGo(string iface)
    {
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            string cmd;
            try { cmd = File.ReadAllText(Path.Combine(d, "cmdline")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            var argv = cmd.Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (argv.Length >= 2 && Path.GetFileName(argv[0]) == "wireguard-go" && argv[^1] == iface) TestEnv.Run("kill", "-9", pid.ToString());
        }
        AtomicDelete(Path.Combine("/var/run/wireguard", iface + ".sock"));
    }

    private static void AtomicDelete(string path) { try { File.Delete(path); } catch (IOException) { } }

    public ValueTask DisposeAsync()
    {
        Cleanup();
        Dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
