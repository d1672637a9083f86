using Volt.Core.Processes;

namespace Volt.Registry.Tests;

/// <summary>
/// Real client tools (skopeo, podman, buildah). A missing tool skips the test with the reason, except when
/// <c>VOLT_REQUIRE_PRIVILEGED=1</c> (CI), where it fails: CI installs them from scripts/apt-packages.txt.
/// </summary>
public static class Tools
{
    private static readonly ProcessRunner Runner = new();

    public static string Require(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path)) return path;
        }
        var reason = $"{tool} is not installed (Debian package \"{tool}\"; scripts/apt-packages.txt lists it)";
        if (Environment.GetEnvironmentVariable("VOLT_REQUIRE_PRIVILEGED") == "1") Xunit.Assert.Fail(reason + " and VOLT_REQUIRE_PRIVILEGED=1");
        Xunit.Assert.Skip(reason);
        return tool;
    }

    /// <summary>Runs a tool with a hard timeout; the result carries exit code and output.</summary>
    public static Task<ProcessResult> RunAsync(string tool, params string[] args) => RunAsync(tool, args, null);

    public static async Task<ProcessResult> RunAsync(string tool, string[] args, IReadOnlyDictionary<string, string?>? env)
    {
        var r = await Runner.RunAsync(Require(tool), args, new ProcessOptions { Timeout = TimeSpan.FromSeconds(120), Environment = env });
        return r;
    }

    public static string Describe(ProcessResult r) => $"exit {r.ExitCode}\nstdout: {r.StdOut}\nstderr: {r.StdErr}";
}
