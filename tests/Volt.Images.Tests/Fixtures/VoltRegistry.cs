using System.Net;
using System.Net.Sockets;
using Volt.Core.Paths;
using Volt.Registry.Auth;
using Volt.Registry.Hosting;

namespace Volt.Images.Tests.Fixtures;

/// <summary>
/// Volt's own registry (the server <c>volt registry serve</c> runs) on a fixed 127.0.0.1 port with a private VOLT root.
/// It can be stopped and started again on the same port: stopping drains the request log, so the lines a client
/// caused between a start and a stop can be counted exactly (<see cref="LogLines"/>).
/// </summary>
public sealed class VoltRegistry : IAsyncDisposable
{
    private RunningRegistry? _server;

    private VoltRegistry(string root, int port) { Paths = new VoltPaths(root); Port = port; }

    public VoltPaths Paths { get; }
    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>USER:PASSWORD for <c>--creds</c> (any user, a push token as the password).</summary>
    public string PushCreds => "test:" + new TokenService(TokenService.KeyPath(Paths)).Issue("test", Access.Push, TimeSpan.FromHours(1)).Token;

    public static async Task<VoltRegistry> StartAsync(string root, CancellationToken ct)
    {
        Directory.CreateDirectory(root);
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var r = new VoltRegistry(root, port);
        await r.StartAsync(ct);
        return r;
    }

    public async Task StartAsync(CancellationToken ct) =>
        _server ??= await RegistryServer.StartAsync(new RegistryOptions { Paths = Paths, Port = Port }, ct);

    public async Task StopAsync()
    {
        if (_server is null) return;
        await _server.StopAsync();
        _server = null;
    }

    /// <summary>The request log (complete up to the last stop): "time client METHOD path status in=… out=… ms".</summary>
    public string[] LogLines()
    {
        var file = Path.Combine(Paths.Log, "registry.log");
        return File.Exists(file) ? File.ReadAllLines(file) : [];
    }

    /// <summary>
    /// Blob upload requests among log lines: POST or PUT or PATCH on <c>/v2/…/blobs/uploads/</c>; with
    /// <paramref name="acceptedOnly"/> only those answered 2xx (not the first POST a token challenge refuses).
    /// </summary>
    public static int BlobUploads(IEnumerable<string> lines, bool acceptedOnly = false) => lines.Count(l =>
    {
        var parts = l.Split(' ');
        return parts.Length > 4 && parts[2] is "POST" or "PUT" or "PATCH" && parts[3].Contains("/blobs/uploads/", StringComparison.Ordinal)
            && (!acceptedOnly || parts[4].StartsWith('2'));
    });

    public async ValueTask DisposeAsync() => await StopAsync();
}
