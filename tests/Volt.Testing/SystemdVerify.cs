namespace Volt.Testing;

/// <summary>
/// <c>systemd-analyze verify</c> on rendered units, offline: the units are written into a private directory and checked
/// together (so <c>Wants=</c>/<c>PartOf=</c> between them resolve). Skips only where systemd-analyze is absent
/// (<see cref="TestEnv.Require"/>: a failure on CI).
/// </summary>
public static class SystemdVerify
{
    /// <summary>What verify printed, and whether it named any of the units (systemd's way of reporting a problem).</summary>
    public sealed record Result(int ExitCode, string Output, IReadOnlyList<string> Paths)
    {
        public bool Clean => ExitCode == 0 && !Paths.Any(p => Output.Contains(p, StringComparison.Ordinal));
    }

    /// <summary>Runs verify over <paramref name="units"/> (file name, text).</summary>
    public static Result Run(params (string Name, string Text)[] units)
    {
        TestEnv.Require(TestEnv.HasTool("systemd-analyze"), "'systemd-analyze' is not installed (package systemd, scripts/apt-packages.txt)");
        using var dir = new TempDir("verify");
        var paths = units.Select(u => dir.Write(u.Name, u.Text)).ToList();
        var (code, stdout, stderr) = TestEnv.Run("systemd-analyze", ["verify", .. paths], null, null);
        return new Result(code, stdout + stderr, paths);
    }

    /// <summary>Fails the test with verify's output unless every unit is clean.</summary>
    public static void AssertClean(params (string Name, string Text)[] units)
    {
        var r = Run(units);
        if (!r.Clean) throw new Xunit.Sdk.XunitException($"systemd-analyze verify reported a problem (exit {r.ExitCode}):\n{r.Output}");
    }
}
