using System.Diagnostics;
using Volt.Testing;

namespace Volt.GitOps.Tests;

/// <summary>A real <c>svnserve</c> on loopback (anonymous write) with one repository and a working copy of its trunk.</summary>
public sealed class SvnServer : IDisposable
{
    private readonly Process _daemon;
    private readonly TempDir _dir = new("volt-svn");

    public SvnServer()
    {
        TestEnv.RequireTool("svnserve");
        var root = _dir.Combine("root");
        Directory.CreateDirectory(root);
        Run("svnadmin", "create", Path.Combine(root, "repo"));
        File.WriteAllText(Path.Combine(root, "repo", "conf", "svnserve.conf"), "[general]\nanon-access = write\n");
        Port = GitServer.FreePort();
        var psi = new ProcessStartInfo("svnserve") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-d", "--foreground", "--listen-host", "127.0.0.1", "--listen-port", Port.ToString(), "-r", root }) psi.ArgumentList.Add(a);
        _daemon = Process.Start(psi)!;
        GitServer.WaitForPort(Port);
        Run("svn", "mkdir", "--non-interactive", "-q", "-m", "trunk", $"svn://127.0.0.1:{Port}/repo/trunk");
        Run("svn", "checkout", "--non-interactive", "-q", Url, Work);
    }

    public int Port { get; }
    public string Url => $"svn://127.0.0.1:{Port}/repo/trunk";
    private string Work => _dir.Combine("wc");

    /// <summary>Writes files, adds and commits them; returns the new revision.</summary>
    public string Commit(IDictionary<string, string> files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Work, path);
            var isNew = !File.Exists(full);
            File.WriteAllText(full, content);
            if (isNew) Run("svn", "add", "-q", full);
        }
        Run("svn", "commit", "--non-interactive", "-q", "-m", "change", Work);
        return Run("svn", "info", "--show-item", "revision", Url).Trim();
    }

    private static string Run(string tool, params string[] args)
    {
        var (code, stdout, stderr) = TestEnv.Run(tool, args);
        if (code != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        try { _daemon.Kill(entireProcessTree: true); _daemon.WaitForExit(5000); } catch (InvalidOperationException) { }
        _daemon.Dispose();
        _dir.Dispose();
    }
}
