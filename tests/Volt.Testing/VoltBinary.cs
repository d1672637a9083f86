namespace Volt.Testing;

/// <summary>
/// The real <c>volt</c> executable for process-level tests (kill -9, concurrent processes): $VOLT_TEST_BINARY
/// (test.sh sets it to the AOT build in out/), else the Debug build's apphost beside the tests.
/// </summary>
public static class VoltBinary
{
    public static string Path
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("VOLT_TEST_BINARY");
            if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
            foreach (var config in new[] { "Release", "Debug" })
            {
                var candidate = System.IO.Path.Combine(TestEnv.RepoRoot, "src", "Volt", "bin", config, "net10.0", "volt");
                if (File.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException("no volt binary: build src/Volt or set VOLT_TEST_BINARY");
        }
    }

    /// <summary>Runs volt with VOLT_ROOT set to <paramref name="root"/>.</summary>
    public static (int Code, string Out, string Err) Run(string root, params string[] args) =>
        TestEnv.Run(Path, args, new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" }, null);
}
