using Volt.Core.Processes;
using Volt.Core.IO;
using Volt.Core.Paths;

namespace Volt.Workloads.Nspawn;

/// <summary>
/// Host features probed once and cached in <c>/var/run/volt/nspawn-features</c> (one <c>key=value</c> a line):
/// user namespaces for <c>--private-users=pick</c>. <c>VOLT_PRIVATE_USERS=0|1</c> overrides.
/// </summary>
public static class NspawnFeatures
{
    public static bool PrivateUsers(VoltPaths paths)
    {
        if (Environment.GetEnvironmentVariable("VOLT_PRIVATE_USERS") is { Length: > 0 } env) return env == "1";
        var cache = Path.Combine(paths.Run, "nspawn-features");
        try
        {
            foreach (var line in File.ReadAllLines(cache))
                if (line.StartsWith("private_users=", StringComparison.Ordinal)) return line.EndsWith("=1", StringComparison.Ordinal);
        }
        catch (IOException) { }
        var ok = ProbeUserNamespaces();
        try { AtomicFile.WriteAllText(cache, $"private_users={(ok ? 1 : 0)}\n"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return ok;
    }

    private static bool ProbeUserNamespaces()
    {
        try
        {
            if (long.Parse(File.ReadAllText("/proc/sys/user/max_user_namespaces").Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 0) return false;
            var r = new ProcessRunner().RunAsync("unshare", ["--user", "--map-root-user", "true"],
                new ProcessOptions { Timeout = TimeSpan.FromSeconds(5) }).GetAwaiter().GetResult();
            return r.Success;
        }
        catch (Exception e) when (e is IOException or FormatException or Volt.Core.Errors.VoltException) { return false; }
    }
}
