using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Volt.Testing;

namespace Volt.Dns.Tests.Server;

/// <summary>
/// A real upstream: dnsmasq (Debian dnsmasq-base) on a loopback address (or inside a namespace), serving a test zone
/// from <c>--address</c>/<c>--host-record</c> with a 60 s TTL and nothing else (no resolv.conf, no hosts file, no
/// forwarding: never the internet). Killed by PID on dispose.
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    private readonly Process _p;

    public Dnsmasq(IPEndPoint at, string? netns = null, params string[] records)
    {
        TestEnv.RequireTool("dnsmasq");
        Endpoint = at;
        string[] args =
        [
            "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
            "--listen-address=" + at.Address, "--port=" + at.Port, "--local-ttl=60", "--neg-ttl=60", "--pid-file=", "--user=root",
            "--log-facility=-", .. records,
        ];
        var psi = netns is null ? new ProcessStartInfo("dnsmasq") : new ProcessStartInfo("nsenter", ["--net=/run/netns/" + netns, "dnsmasq"]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardError = true;
        psi.RedirectStandardOutput = true;
        _p = Process.Start(psi)!;
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    public IPEndPoint Endpoint { get; }
    public int Pid => _p.Id;

    /// <summary>A free UDP+TCP port on 127.0.0.1 for a dnsmasq to take.</summary>
    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) { _p.Kill(); _p.WaitForExit(5000); } } catch (InvalidOperationException) { }
        _p.Dispose();
    }
}
