using System.Buffers.Binary;

namespace Volt.Vms.Kernels;

/// <summary>The two facts Volt reads from an x86-64 ELF file's program headers: dynamic linking and a PVH entry note.</summary>
public static class Elf
{
    private const uint PtInterp = 3, PtNote = 4, XenElfnotePhys32Entry = 18;

    public static bool IsElf64(string file)
    {
        Span<byte> head = stackalloc byte[5];
        using var f = File.OpenRead(file);
        return f.Read(head) == 5 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F' && head[4] == 2;
    }

    /// <summary>No PT_INTERP: runs without a dynamic loader (what an initramfs's busybox must be).</summary>
    public static bool IsStatic(string file) => IsElf64(file) && !Headers(file).Any(h => h.Type == PtInterp);

    /// <summary>A <c>Xen</c> note of type XEN_ELFNOTE_PHYS32_ENTRY: QEMU boots it directly (PVH), without the decompressor.</summary>
    public static bool HasPvhEntry(string file)
    {
        if (!IsElf64(file)) return false;
        using var f = File.OpenRead(file);
        foreach (var h in Headers(file).Where(h => h.Type == PtNote && h.Size is > 0 and < 1 << 20))
        {
            var buf = new byte[h.Size];
            f.Position = h.Offset;
            f.ReadExactly(buf);
            for (var i = 0; i + 12 <= buf.Length;)
            {
                var namesz = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(i));
                var descsz = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(i + 4));
                var type = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(i + 8));
                if (namesz < 0 || descsz < 0 || i + 12 + namesz > buf.Length) break;
                var name = System.Text.Encoding.ASCII.GetString(buf, i + 12, Math.Max(0, namesz - 1));
                if (name == "Xen" && type == XenElfnotePhys32Entry) return true;
                i += 12 + Align4(namesz) + Align4(descsz);
            }
        }
        return false;
    }

    private static int Align4(int n) => (n + 3) & ~3;

    private readonly record struct Phdr(uint Type, long Offset, long Size);

    private static List<Phdr> Headers(string file)
    {
        using var f = File.OpenRead(file);
        var eh = new byte[64];
        if (f.Read(eh) < 64) return [];
        var phoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(eh.AsSpan(0x20));
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(eh.AsSpan(0x36));
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(eh.AsSpan(0x38));
        if (phentsize < 56 || phnum > 256 || phoff <= 0 || phoff + phentsize * phnum > f.Length) return [];
        var ph = new byte[phentsize * phnum];
        f.Position = phoff;
        f.ReadExactly(ph);
        var list = new List<Phdr>(phnum);
        for (var i = 0; i < phnum; i++)
        {
            var s = ph.AsSpan(i * phentsize);
            list.Add(new Phdr(BinaryPrimitives.ReadUInt32LittleEndian(s), (long)BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(s[32..])));
        }
        return list;
    }
}
