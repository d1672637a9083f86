using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Vms.Disks;

/// <summary>
/// A NoCloud cloud-init seed: an ISO 9660 volume labelled <c>cidata</c> with <c>user-data</c> (the user's file),
/// <c>meta-data</c> (instance id and hostname = the VM's name) and, with an address, <c>network-config</c> (v2, static),
/// made with genisoimage (or xorriso).
/// </summary>
public sealed class CloudInitSeed(IProcessRunner processes)
{
    public static string MetaData(string name) => $"instance-id: {name}\nlocal-hostname: {name}\n";

    public static string? NetworkConfig(string? address, int prefix, string? gateway, string? mac) => address is null ? null :
        "version: 2\nethernets:\n  eth0:\n" + (mac is null ? "" : $"    match:\n      macaddress: \"{mac}\"\n") +
        $"    addresses: [\"{address}/{prefix}\"]\n" + (gateway is null ? "" : $"    routes:\n      - to: 0.0.0.0/0\n        via: {gateway}\n");

    /// <summary>Checks the user-data is cloud-init input (<c>#cloud-config</c>, a script, or MIME); exit 12 otherwise.</summary>
    public static void Validate(string userData, string file)
    {
        var first = userData.TrimStart('\uFEFF').Split('\n', 2)[0].Trim();
        if (!(first.StartsWith("#cloud-config", StringComparison.Ordinal) || first.StartsWith("#!", StringComparison.Ordinal)
            || first.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase) || first.StartsWith("#include", StringComparison.Ordinal)))
            throw new VoltException(ExitCode.InvalidConfig, $"{file}: user-data must start with #cloud-config (or be a #! script)");
    }

    public async Task BuildAsync(string iso, string name, string userData, string? networkConfig, CancellationToken ct = default)
    {
        var dir = iso + ".d";
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "user-data"), userData);
            File.WriteAllText(Path.Combine(dir, "meta-data"), MetaData(name));
            if (networkConfig is not null) File.WriteAllText(Path.Combine(dir, "network-config"), networkConfig);
            var files = Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).ToList();
            var tool = File.Exists("/usr/bin/genisoimage") ? "genisoimage" : "xorriso";
            List<string> args = tool == "genisoimage"
                ? ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", .. files]
                : ["-as", "mkisofs", "-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", .. files];
            var r = await processes.RunAsync(tool, args, new ProcessOptions { Timeout = TimeSpan.FromMinutes(1) }, ct).ConfigureAwait(false);
            if (!r.Success) throw new VoltException(ExitCode.Dependency, $"{tool} failed making the cloud-init seed: {r.StdErr.Trim()}");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
