using System.Diagnostics;

namespace Volt.Testing;

/// <summary>Facts about the test host, and the rule for tests that need root or kernel features.</summary>
public static class TestEnv
{
    /// <summary>The repository root (the directory holding Volt.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared/testdata beside the repository.</summary>
    public static string TestData => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "testdata"));

    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    /// <summary>CI sets VOLT_REQUIRE_PRIVILEGED=1: a privileged test that cannot run there is a failure, not a skip.</summary>
    public static bool PrivilegedRequired => Environment.GetEnvironmentVariable("VOLT_REQUIRE_PRIVILEGED") == "1";

    /// <summary>
    /// Skips (printing why) when the host truly lacks what the test needs; on CI (VOLT_REQUIRE_PRIVILEGED=1) fails instead.
    /// </summary>
    public static void Require(bool available, string reason)
    {
        if (available) return;
        if (PrivilegedRequired) throw new InvalidOperationException($"required test capability missing on a CI host: {reason}");
        Xunit.Assert.Skip(reason);
    }

    /// <summary>
    /// Skips (printing why), on CI too, when the host lacks a hardware feature no install step can give it (an
    /// instruction set): these machines come with different CPUs, and the test runs wherever the CPU has it.
    /// </summary>
    public static void RequireHardware(bool available, string reason)
    {
        if (!available) Xunit.Assert.Skip($"this machine's hardware lacks it: {reason}");
    }

    public static void RequireRoot(string why) => Require(IsRoot, $"needs root: {why}");

    public static bool HasTool(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    public static void RequireTool(string tool) => Require(HasTool(tool), $"'{tool}' is not installed (apt package list: scripts/apt-packages.txt)");

    /// <summary>Runs a command and returns (exit code, stdout, stderr); for tests only.</summary>
    public static (int Code, string Out, string Err) Run(string file, params string[] args) => Run(file, args, null, null);

    public static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env, string? stdin)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin is not null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Volt.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Volt.slnx) above " + AppContext.BaseDirectory);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
