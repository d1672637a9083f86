using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Volt.Testing;

namespace Volt.Images.Tests.Fixtures;

/// <summary>
/// The CNCF reference registry (Debian's docker-registry) on 127.0.0.1 with a private filesystem root, no auth,
/// delete enabled. Stopped by PID on dispose.
/// </summary>
public sealed class DistributionRegistry : IDisposable
{
    private readonly Process _process;

    private DistributionRegistry(Process p, string host) { _process = p; Host = host; }

    /// <summary>host:port, e.g. 127.0.0.1:41234.</summary>
    public string Host { get; }

    public static async Task<DistributionRegistry> StartAsync(string dir, CancellationToken ct)
    {
        TestEnv.RequireTool("docker-registry");
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            var config = Path.Combine(dir, "config.yml");
            await File.WriteAllTextAsync(config, $"""
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: {Path.Combine(dir, "data")}
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:{port}
                """, ct);
            var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("serve");
            psi.ArgumentList.Add(config);
            var p = Process.Start(psi)!;
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var host = $"127.0.0.1:{port}";
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
            for (var i = 0; i < 100 && !p.HasExited; i++)
            {
                try
                {
                    using var r = await http.GetAsync($"http://{host}/v2/", ct);
                    if (r.StatusCode == HttpStatusCode.OK) return new DistributionRegistry(p, host);
                }
                catch (HttpRequestException) { }
                await Task.Delay(50, ct);
            }
            Kill(p);
            if (attempt >= 2) throw new InvalidOperationException("docker-registry did not start");
        }
    }

    /// <summary>Copies an OCI layout (all platforms) into the registry with skopeo.</summary>
    public async Task PushLayoutAsync(string layoutDir, string tag, string repo, CancellationToken ct)
    {
        TestEnv.RequireTool("skopeo");
        var r = await Task.Run(() => TestEnv.Run("skopeo", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false",
            $"oci:{layoutDir}:{tag}", $"docker://{Host}/{repo}:{tag}"), ct);
        if (r.Code != 0) throw new InvalidOperationException($"skopeo copy failed: {r.Err}{r.Out}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static void Kill(Process p)
    {
        try { if (!p.HasExited) { p.Kill(); p.WaitForExit(5000); } } catch (InvalidOperationException) { }
        p.Dispose();
    }

    public void Dispose() => Kill(_process);
}
