using System.Diagnostics;
using System.Runtime.InteropServices;
using Volt.Core.IO;
using Volt.Storage.Hashing;

/// <summary>Whole-file hashing, reading included: pread pieces (Blake3File, what volt ships) or one mmap.</summary>
internal static unsafe partial class FileModes
{
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nint len, int prot, int flags, int fd, long off);
    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(nint addr, nint len);

    public static int Run(string mode, string path, int threads, int pieceBytes)
    {
        long size = new FileInfo(path).Length;
        double best = double.MaxValue;
        byte[] hash = [];
        for (int run = 0; run < 4; run++)
        {
            var watch = Stopwatch.StartNew();
            int fd = RawFile.OpenRead(path);
            try
            {
                if (mode == "pread")
                {
                    hash = Blake3File.Hash(fd, size, path, threads, pieceBytes).Hash;
                }
                else
                {
                    nint p = Mmap(0, (nint)size, 1 /* PROT_READ */, mode == "mmap-populate" ? 0x8001 : 1 /* MAP_SHARED */, fd, 0);
                    using var hasher = Blake3Hasher.Create();
                    hasher.Parallel = threads > 1;
                    for (long off = 0; off < size; off += 1 << 30)
                        hasher.Update(new ReadOnlySpan<byte>((byte*)p + off, (int)Math.Min(1 << 30, size - off)));
                    hash = hasher.Finalize();
                    Munmap(p, (nint)size);
                }
            }
            finally
            {
                RawFile.Close(fd);
            }
            if (run > 0) best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"read={mode} threads={threads} piece-kib={pieceBytes >> 10} kernel={Blake3.Kernel} bytes={size} seconds={best:F4} GB/s={size / best / 1e9:F2} hash={Convert.ToHexStringLower(hash)}");
        return 0;
    }
}
