using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Volt.Testing;

namespace Volt.GitOps.Tests;

/// <summary>
/// A real <c>git daemon</c> on loopback serving one bare repository (<c>app.git</c>, default branch main), and a
/// working clone to commit and push from. Killed by PID on dispose.
/// </summary>
public sealed class GitServer : IDisposable
{
    private readonly Process _daemon;
    private readonly TempDir _dir = new("volt-git");

    public GitServer()
    {
        TestEnv.RequireTool("git");
        var bases = _dir.Combine("srv");
        Directory.CreateDirectory(bases);
        Git(bases, "init", "-q", "--bare", "-b", "main", "app.git");
        Port = FreePort();
        // git-daemon itself (not the `git daemon` wrapper, whose child would outlive a kill as an unreaped zombie).
        var daemon = Path.Combine(TestEnv.Run("git", "--exec-path").Out.Trim(), "git-daemon");
        var psi = new ProcessStartInfo(daemon) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--reuseaddr", $"--base-path={bases}", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1", $"--port={Port}", bases })
            psi.ArgumentList.Add(a);
        _daemon = Process.Start(psi)!;
        WaitForPort(Port);
        Git(_dir.Path, "clone", "-q", Url, "work");
    }

    public int Port { get; }
    public string Url => $"git://127.0.0.1:{Port}/app.git";
    public string Work => _dir.Combine("work");
    public string BareRepo => _dir.Combine("srv", "app.git");

    /// <summary>Writes files, commits and pushes to <paramref name="branch"/>; returns the commit id.</summary>
    public string Push(IDictionary<string, string> files, string branch = "main", string message = "change")
    {
        Git(Work, "checkout", "-q", "-B", branch);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Work, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        Git(Work, "add", "-A");
        Git(Work, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "--allow-empty", "-m", message);
        Git(Work, "push", "-q", "origin", $"HEAD:refs/heads/{branch}");
        return Git(Work, "rev-parse", "HEAD").Trim();
    }

    public void Remove(string path) { Git(Work, "rm", "-q", path); }

    public static string Git(string dir, params string[] args)
    {
        var (code, stdout, stderr) = TestEnv.Run("git", ["-C", dir, .. args], new Dictionary<string, string> { ["GIT_TERMINAL_PROMPT"] = "0" }, null);
        if (code != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    internal static void WaitForPort(int port)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, port); return; }
            catch (SocketException) { Thread.Sleep(50); }
        }
        throw new TimeoutException($"nothing listening on 127.0.0.1:{port}");
    }

    public void Dispose()
    {
        try { _daemon.Kill(entireProcessTree: true); _daemon.WaitForExit(5000); } catch (InvalidOperationException) { }
        _daemon.Dispose();
        _dir.Dispose();
    }
}
