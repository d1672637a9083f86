using Volt.Core.Processes;

namespace Volt.Vms.Kernels;

/// <summary>
/// The uncompressed <c>vmlinux</c> inside a <c>bzImage</c> (what extract-vmlinux does): the payload is found by its
/// compressor's magic and decompressed by the system tool; the result counts only when it is an ELF file with a PVH
/// entry, which QEMU boots without running the decompressor.
/// </summary>
public sealed class VmlinuxExtractor(IProcessRunner processes)
{
    private static readonly (byte[] Magic, string Tool)[] Formats =
    [
        ([0x02, 0x21, 0x4c, 0x18], "lz4"),
        ([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz"),
        ([0x28, 0xb5, 0x2f, 0xfd], "zstd"),
        ([0x1f, 0x8b, 0x08], "gzip"),
        ([0x5d, 0x00, 0x00], "lzma"),
        ([0x42, 0x5a, 0x68], "bzip2"),
    ];

    /// <summary>Writes <paramref name="output"/> and returns true when a PVH vmlinux came out; false (nothing written) otherwise.</summary>
    public async Task<bool> TryExtractAsync(string bzImage, string output, CancellationToken ct = default)
    {
        var data = await File.ReadAllBytesAsync(bzImage, ct).ConfigureAwait(false);
        var tmp = output + ".tmp";
        foreach (var (magic, tool) in Formats)
        {
            var at = data.AsSpan().IndexOf(magic);
            if (at < 0) continue;
            // Decompressors complain about the bytes after the payload: the exit code says nothing, the ELF check does.
            await processes.RunAsync("sh", ["-c", $"tail -c +{at + 1} \"$1\" | {tool} -dc > \"$2\" 2>/dev/null; true", "sh", bzImage, tmp],
                new ProcessOptions { Timeout = TimeSpan.FromMinutes(2) }, ct).ConfigureAwait(false);
            if (File.Exists(tmp) && new FileInfo(tmp).Length > 1 << 20 && Elf.HasPvhEntry(tmp))
            {
                File.Move(tmp, output, overwrite: true);
                return true;
            }
            File.Delete(tmp);
        }
        return false;
    }
}
