using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Images.Rootfs;
using Volt.Images.Store;

namespace Volt.Vms.Disks;

/// <summary>
/// VM disks without a mount: a Volt image's tree (its hard-linked lower dir) becomes an ext4 file system with
/// <c>mke2fs -d</c>, converted once to a qcow2 base shared by every VM of that image
/// (<c>/var/lib/volt/images/&lt;tree&gt;/vm-base.qcow2</c>); each VM gets its own overlay backed by it. A user's disk
/// file is checked with <c>qemu-img check</c> first (corrupt or truncated: refused with its finding).
/// </summary>
public sealed class DiskBuilder(VoltPaths paths, ImageStore images, IProcessRunner processes)
{
    public string BasePath(StoredImage img) => Path.Combine(paths.Images, img.Record.TreeDigest.Hex, "vm-base.qcow2");

    /// <summary>The image's base qcow2, built on first use (under the images lock).</summary>
    public async Task<string> EnsureBaseAsync(string image, CancellationToken ct = default)
    {
        var img = images.Get(image);
        var basePath = BasePath(img);
        if (File.Exists(basePath)) return basePath;
        var (lower, _) = new RootfsAssembler(paths).EnsureLower(img);
        Directory.CreateDirectory(Path.GetDirectoryName(basePath)!);
        using var _ = FileLock.Exclusive(basePath + ".lock");
        if (File.Exists(basePath)) return basePath;
        var raw = basePath + ".raw";
        try
        {
            var bytes = await UsedBytesAsync(lower, ct).ConfigureAwait(false);
            var size = Math.Max(128L << 20, bytes + bytes / 3 + (64L << 20));
            var kib = (size / 1024).ToString(CultureInfo.InvariantCulture);
            await RunAsync("mke2fs", ["-q", "-F", "-t", "ext4", "-L", "volt-root", "-d", lower, "-E", "root_owner=0:0", raw, kib + "k"], ct).ConfigureAwait(false);
            await RunAsync("qemu-img", ["convert", "-q", "-O", "qcow2", raw, basePath + ".tmp"], ct).ConfigureAwait(false);
            File.Move(basePath + ".tmp", basePath);
            return basePath;
        }
        finally
        {
            AtomicFile.TryDelete(raw);
            AtomicFile.TryDelete(basePath + ".tmp");
        }
    }

    /// <summary>A VM's overlay backed by <paramref name="backing"/>, of <paramref name="size"/> bytes (null: the backing's size).</summary>
    public async Task CreateOverlayAsync(string overlay, string backing, string backingFormat, long? size, CancellationToken ct = default)
    {
        List<string> args = ["create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backing, overlay];
        if (size is { } s)
        {
            var virtualSize = await VirtualSizeAsync(backing, ct).ConfigureAwait(false);
            if (s < virtualSize) throw VoltException.Usage($"--disk-size {s} is smaller than the disk it is based on ({virtualSize} bytes)");
            args.Add(s.ToString(CultureInfo.InvariantCulture));
        }
        await RunAsync("qemu-img", args, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A user's disk file: its format (qcow2 or raw, from <c>qemu-img info</c>), checked with <c>qemu-img check</c>.
    /// Refused (exit 12) with qemu-img's own finding when it is corrupt or truncated.
    /// </summary>
    public async Task<string> CheckAsync(string file, CancellationToken ct = default)
    {
        if (!File.Exists(file)) throw VoltException.NotFound($"disk file \"{file}\" not found");
        var info = await processes.RunAsync("qemu-img", ["info", "--output=json", file], new ProcessOptions { Timeout = TimeSpan.FromMinutes(1) }, ct).ConfigureAwait(false);
        if (!info.Success) throw new VoltException(ExitCode.InvalidConfig, $"disk \"{file}\" refused: {Finding(info.StdErr + info.StdOut)}");
        var format = JsonNode.Parse(info.StdOut)?["format"]?.GetValue<string>() ?? "raw";
        if (format is not ("qcow2" or "raw")) throw new VoltException(ExitCode.InvalidConfig, $"disk \"{file}\" is {format}: Volt takes qcow2 or raw disks");
        if (format == "qcow2")
        {
            var check = await processes.RunAsync("qemu-img", ["check", "-q", "-f", "qcow2", file], new ProcessOptions { Timeout = TimeSpan.FromMinutes(5) }, ct).ConfigureAwait(false);
            if (!check.Success) throw new VoltException(ExitCode.InvalidConfig, $"disk \"{file}\" refused by qemu-img check: {Finding(check.StdOut + "\n" + check.StdErr)}");
        }
        return format;
    }

    private async Task<long> VirtualSizeAsync(string file, CancellationToken ct)
    {
        var info = await processes.RunAsync("qemu-img", ["info", "--output=json", "-U", file], new ProcessOptions { Timeout = TimeSpan.FromMinutes(1) }, ct).ConfigureAwait(false);
        return info.Success ? JsonNode.Parse(info.StdOut)?["virtual-size"]?.GetValue<long>() ?? 0 : 0;
    }

    private async Task<long> UsedBytesAsync(string dir, CancellationToken ct)
    {
        var r = await processes.RunAsync("du", ["-s", "-B1", "--apparent-size", dir], new ProcessOptions { Timeout = TimeSpan.FromMinutes(2) }, ct).ConfigureAwait(false);
        return r.Success && long.TryParse(r.StdOut.Split('\t')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 256L << 20;
    }

    private async Task RunAsync(string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var r = await processes.RunAsync(tool, args, new ProcessOptions { Timeout = TimeSpan.FromMinutes(10) }, ct).ConfigureAwait(false);
        if (!r.Success) throw new VoltException(ExitCode.General, $"{tool} failed: {Finding(r.StdErr + r.StdOut)}");
    }

    /// <summary>The lines that say what is wrong (qemu-img's ERROR/Leaked/corrupt lines first), joined.</summary>
    internal static string Finding(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var telling = lines.Where(l => l.Contains("ERROR", StringComparison.OrdinalIgnoreCase) || l.Contains("corrupt", StringComparison.OrdinalIgnoreCase)
            || l.Contains("Could not", StringComparison.OrdinalIgnoreCase) || l.StartsWith("qemu-img:", StringComparison.Ordinal)).Take(3).ToList();
        return telling.Count > 0 ? string.Join("; ", telling) : lines.LastOrDefault() ?? "(no output)";
    }
}
