using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Volt.Images.Tests.Fixtures;

public enum Compression { None, Gzip, Zstd }

/// <summary>Writes layer tars entry by entry (including hostile ones a normal tool would refuse to write).</summary>
public sealed class LayerBuilder
{
    private readonly List<PaxTarEntry> _entries = [];
    private readonly List<MemoryStream> _data = [];
    public static readonly DateTimeOffset MTime = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public LayerBuilder Dir(string path, int mode = 0x1ED /* 0755 */) => Add(TarEntryType.Directory, path, mode);

    public LayerBuilder File(string path, string content, int mode = 0x1A4 /* 0644 */) => File(path, System.Text.Encoding.UTF8.GetBytes(content), mode);

    public LayerBuilder File(string path, byte[] content, int mode = 0x1A4, int uid = 0, int gid = 0)
    {
        var ms = new MemoryStream(content);
        _data.Add(ms);
        var e = Entry(TarEntryType.RegularFile, path, mode);
        e.Uid = uid; e.Gid = gid;
        e.DataStream = ms;
        _entries.Add(e);
        return this;
    }

    public LayerBuilder Symlink(string path, string target) { var e = Entry(TarEntryType.SymbolicLink, path, 0x1FF); e.LinkName = target; _entries.Add(e); return this; }

    public LayerBuilder HardLink(string path, string target) { var e = Entry(TarEntryType.HardLink, path, 0x1A4); e.LinkName = target; _entries.Add(e); return this; }

    public LayerBuilder Whiteout(string path)
    {
        var dir = Path.GetDirectoryName(path)!.Replace('\\', '/');
        var name = ".wh." + Path.GetFileName(path);
        return File(dir.Length == 0 ? name : $"{dir}/{name}", "");
    }

    public LayerBuilder Opaque(string dir) => File($"{dir.TrimEnd('/')}/.wh..wh..opq", "");

    private LayerBuilder Add(TarEntryType type, string path, int mode) { _entries.Add(Entry(type, path, mode)); return this; }

    private static PaxTarEntry Entry(TarEntryType type, string path, int mode) =>
        new(type, path) { Mode = (UnixFileMode)mode, ModificationTime = MTime };

    public byte[] Tar()
    {
        using var ms = new MemoryStream();
        using (var tar = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var e in _entries)
            {
                if (e.DataStream is not null) e.DataStream.Position = 0;
                tar.WriteEntry(e);
            }
        return ms.ToArray();
    }

    public static byte[] Compress(byte[] tar, Compression c)
    {
        switch (c)
        {
            case Compression.Gzip:
            {
                using var ms = new MemoryStream();
                using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(tar);
                return ms.ToArray();
            }
            case Compression.Zstd:
            {
                using var z = new ZstdSharp.Compressor(3);
                return z.Wrap(tar).ToArray();
            }
            default: return tar;
        }
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A busybox rootfs as one layer: bin/busybox (the host's static busybox), applet symlinks, etc/passwd.</summary>
    public static LayerBuilder Busybox()
    {
        var b = new LayerBuilder().Dir("bin").Dir("etc").Dir("tmp", 0x3FF /* 1777 */)
            .File("bin/busybox", System.IO.File.ReadAllBytes("/bin/busybox"), 0x1ED);
        foreach (var applet in new[] { "sh", "echo", "httpd", "ls", "cat" }) b.Symlink($"bin/{applet}", "busybox");
        return b.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").File("etc/group", "root:x:0:\n");
    }

    /// <summary>
    /// A busybox rootfs nspawn accepts as an OS tree (usr/, mount points, the applets the tests run), with what real
    /// distribution layers hold and the CAS must store too: zero-length files (<c>etc/.pwd.lock</c>, as Debian's
    /// base images have), a hard link to one, an empty directory.
    /// </summary>
    public static LayerBuilder RunnableBusybox()
    {
        var b = new LayerBuilder();
        foreach (var d in new[] { "bin", "etc", "usr", "usr/bin", "proc", "sys", "dev", "run", "var", "var/empty", "root" }) b.Dir(d);
        b.Dir("tmp", 0x3FF).File("bin/busybox", System.IO.File.ReadAllBytes("/bin/busybox"), 0x1ED);
        foreach (var applet in new[] { "sh", "true", "echo", "cat", "ls", "sleep" }) b.Symlink($"bin/{applet}", "busybox");
        return b.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").File("etc/group", "root:x:0:\n")
            .File("etc/.pwd.lock", "", 0x180 /* 0600 */).File("usr/bin/.keep", "").HardLink("etc/.pwd.lock.link", "etc/.pwd.lock");
    }
}
