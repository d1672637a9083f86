using Volt.Testing;

namespace Volt.Sandbox.Tests.Support;

/// <summary>Support/probe.c, compiled static once per test run (runs on the host and in a busybox container).</summary>
public static class Probe
{
    private static readonly Lazy<string> Built = new(() =>
    {
        TestEnv.RequireTool("gcc");
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"volt-sandbox-probe-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        var bin = System.IO.Path.Combine(dir, "probe");
        var src = System.IO.Path.Combine(TestEnv.RepoRoot, "tests", "Volt.Sandbox.Tests", "Support", "probe.c");
        var (code, _, err) = TestEnv.Run("gcc", "-static", "-O1", "-o", bin, src);
        if (code != 0) throw new InvalidOperationException("gcc probe.c: " + err);
        return bin;
    });

    public static string Path => Built.Value;
}
