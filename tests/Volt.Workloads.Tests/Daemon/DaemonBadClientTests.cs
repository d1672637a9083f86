using System.Net.Sockets;
using System.Text;
using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Security;
using Volt.Daemon;
using Volt.Testing;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

/// <summary>Clients that misbehave on voltd's socket are closed by limits; voltd goes on answering everyone else.</summary>
public sealed class DaemonBadClientTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private VoltdProcess _voltd = null!;

    public async ValueTask InitializeAsync()
    {
        TestEnv.RequireRoot("voltd needs root for its cgroups");
        Directory.CreateDirectory(_dir.Combine("root"));
        _voltd = new VoltdProcess(VoltBinary.Path, _dir.Combine("root"), _dir.Combine("daemon.log"));
        await _voltd.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _voltd.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<Socket> ConnectAsync()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(_voltd.Socket));
        return s;
    }

    [Fact]
    public async Task SilentClients_DoNotKeepOthersWaiting()
    {
        var silent = new List<Socket>();
        for (var i = 0; i < 20; i++) silent.Add(await ConnectAsync());
        try
        {
            using var client = new DaemonClient(_voltd.Socket);
            (await client.TryPingAsync()).ShouldNotBeNull();
        }
        finally { foreach (var s in silent) s.Dispose(); }
    }

    [Fact]
    public async Task OversizedBody_IsRefused_AndVoltdStaysUp()
    {
        using var s = await ConnectAsync();
        var size = DaemonLimits.MaxBody * 2;
        await s.SendAsync(Encoding.ASCII.GetBytes($"POST /v1/containers?start=1 HTTP/1.1\r\nHost: voltd\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"));
        var chunk = new byte[64 * 1024];
        try { for (long sent = 0; sent < size; sent += chunk.Length) await s.SendAsync(chunk); }
        catch (SocketException) { } // voltd may close before the whole body arrived
        var answer = new byte[4096];
        var n = await s.ReceiveAsync(answer);
        Encoding.ASCII.GetString(answer, 0, n).ShouldStartWith("HTTP/1.1 413");
        using var client = new DaemonClient(_voltd.Socket);
        (await client.TryPingAsync()).ShouldNotBeNull();
    }

    [Fact]
    public async Task OversizedHeaders_AreRefused()
    {
        using var s = await ConnectAsync();
        await s.SendAsync(Encoding.ASCII.GetBytes($"GET /v1/ping HTTP/1.1\r\nHost: voltd\r\nX-Junk: {new string('a', 64 * 1024)}\r\n\r\n"));
        var answer = new byte[4096];
        var n = await s.ReceiveAsync(answer);
        Encoding.ASCII.GetString(answer, 0, n).ShouldStartWith("HTTP/1.1 431");
    }

    [Fact]
    public async Task UnreadableCredentials_AreDenied()
    {
        var gate = new AccessGate(null);
        var e = await Should.ThrowAsync<VoltException>(() => gate.DemandAsync(null, AccessLevel.AnyUser, CancellationToken.None));
        e.Code.ShouldBe(ExitCode.Permission);
        e.Message.ShouldContain("SO_PEERCRED");
    }
}
