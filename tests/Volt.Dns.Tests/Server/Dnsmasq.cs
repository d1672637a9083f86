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

    /// <summary>
    /// Starts dnsmasq at <paramref name="at"/> and returns once it has bound its sockets (its "started" line) — or throws
    /// <see cref="PortTakenException"/> if the address was taken (dnsmasq exits 2 "failed to create listening socket").
    /// </summary>
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
        var psi = netns is null ? new ProcessStartInfo("dnsmasq") : new ProcessStartInfo("nsenter", [Netns.Enter(netns), "dnsmasq"]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardError = true;
        psi.RedirectStandardOutput = true;
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Line(string? l)
        {
            if (l is null) { started.TrySetResult(false); return; } // the stream closed: dnsmasq exited
            said.Enqueue(l);
            if (l.Contains("started, version", StringComparison.Ordinal)) started.TrySetResult(true);
        }
        _p = new Process { StartInfo = psi };
        _p.ErrorDataReceived += (_, e) => Line(e.Data);
        _p.OutputDataReceived += (_, e) => { if (e.Data is { } l) said.Enqueue(l); };
        _p.Start();
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
        // An event (its log line or its exit), not a sleep; the 30 s bound only turns a hang into a clear failure.
        if (!started.Task.Wait(TimeSpan.FromSeconds(30)) || !started.Task.Result)
        {
            Dispose();
            var log = string.Join("\n", said);
            if (log.Contains("Address already in use", StringComparison.Ordinal)) throw new PortTakenException(at, log);
            throw new InvalidOperationException($"dnsmasq at {at} did not start:\n{log}");
        }
    }

    /// <summary>A dnsmasq on a free loopback port: a port another test took between the probe and the bind is retried.</summary>
    public static Dnsmasq OnLoopback(params string[] records)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return new Dnsmasq(new IPEndPoint(IPAddress.Loopback, FreePort()), null, records); }
            catch (PortTakenException) when (attempt < 10) { }
        }
    }

    public IPEndPoint Endpoint { get; }
    public int Pid => _p.Id;

    /// <summary>A port on 127.0.0.1 free for both TCP and UDP at the time of asking (dnsmasq takes both).</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)s.LocalEndPoint!).Port;
            using var u = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try { u.Bind(new IPEndPoint(IPAddress.Loopback, port)); return port; }
            catch (SocketException) { } // its UDP twin is taken: another
        }
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) { _p.Kill(); _p.WaitForExit(5000); } } catch (InvalidOperationException) { }
        _p.Dispose();
    }
}

/// <summary>dnsmasq could not bind its address: someone else holds it.</summary>
public sealed class PortTakenException(IPEndPoint at, string log) : Exception($"{at} is taken:\n{log}");
