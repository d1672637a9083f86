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
    private Process _process;
    private readonly string _config;
    private readonly List<string> _output = [];

    private DistributionRegistry(Process p, string host, string config) { _process = p; Host = host; _config = config; }

    /// <summary>host:port, e.g. 127.0.0.1:41234.</summary>
    public string Host { get; }

    /// <param name="accessLog">Collect the access log (stdout) for <see cref="StopAsync"/> to return.</param>
    public static async Task<DistributionRegistry> StartAsync(string dir, CancellationToken ct, bool accessLog = false)
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
                  accesslog:
                    disabled: {(accessLog ? "false" : "true")}
                storage:
                  filesystem:
                    rootdirectory: {Path.Combine(dir, "data")}
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:{port}
                """, ct);
            var host = $"127.0.0.1:{port}";
            var r = new DistributionRegistry(null!, host, config);
            if (await r.LaunchAsync(ct)) return r;
            if (attempt >= 2) throw new InvalidOperationException("docker-registry did not start");
        }
    }

    private async Task<bool> LaunchAsync(CancellationToken ct)
    {
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(_config);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100 && !p.HasExited; i++)
        {
            try
            {
                using var r = await http.GetAsync($"http://{Host}/v2/", ct);
                if (r.StatusCode == HttpStatusCode.OK) { lock (_output) _output.Clear(); return true; }
            }
            catch (HttpRequestException) { }
            await Task.Delay(50, ct);
        }
        Kill(p);
        return false;
    }

    /// <summary>Stops the server and returns the access log lines written since it (re)started.</summary>
    public Task<List<string>> StopAsync()
    {
        Kill(_process);
        lock (_output)
        {
            var lines = _output.ToList();
            _output.Clear();
            return Task.FromResult(lines);
        }
    }

    /// <summary>Starts the server again on the same port and storage.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        if (!await LaunchAsync(ct)) throw new InvalidOperationException("docker-registry did not restart");
    }

    /// <summary>Blob upload requests in access log lines ("POST|PUT|PATCH /v2/…/blobs/uploads/…").</summary>
    public static int BlobUploads(IEnumerable<string> lines) => lines.Count(l =>
        (l.Contains("\"POST /v2/", StringComparison.Ordinal) || l.Contains("\"PUT /v2/", StringComparison.Ordinal) || l.Contains("\"PATCH /v2/", StringComparison.Ordinal))
        && l.Contains("/blobs/uploads/", StringComparison.Ordinal));

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
        try
        {
            if (!p.HasExited) p.Kill();
            p.WaitForExit(); // also waits until the redirected output is read to its end
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    public void Dispose() => Kill(_process);
}
