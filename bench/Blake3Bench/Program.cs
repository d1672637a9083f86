using System.Diagnostics;
using Volt.Storage.Hashing;

// Usage: Blake3Bench [--size-mib N] [--threads 1|all] [--file PATH] [--piece-mib M]
// Hashes the file (read fully into memory first, not timed) or N MiB of random bytes, best of 3, and prints
// "threads=… bytes=… seconds=… GB/s=… hash=…" (GB = 10^9 bytes). With --piece-mib the streaming hasher is
// fed M MiB at a time, as a file reader would, instead of one call over the whole buffer.
int sizeMib = 1024;
string threads = "all";
string? file = null;
int pieceMib = 0;
string? read = null; // pread | mmap: time reading the file too (whole-file hashing as `volt cas hash` does)
int pieceKib = 1024;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size-mib": sizeMib = int.Parse(args[++i]); break;
        case "--threads": threads = args[++i]; break;
        case "--file": file = args[++i]; break;
        case "--piece-mib": pieceMib = int.Parse(args[++i]); break;
        case "--read": read = args[++i]; break;
        case "--piece-kib": pieceKib = int.Parse(args[++i]); break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: --size-mib N --threads 1|all --file PATH");
            return 2;
    }
}
if (threads is not ("1" or "all"))
{
    Console.Error.WriteLine("--threads must be 1 or all");
    return 2;
}

if (read is not null)
    return FileModes.Run(read, file!, threads == "all" ? Environment.ProcessorCount : 1, pieceKib << 10);

byte[] data;
if (file is not null)
{
    data = File.ReadAllBytes(file);
}
else
{
    data = GC.AllocateUninitializedArray<byte>(checked(sizeMib << 20));
    new Random(1).NextBytes(data);
}

var hash = new byte[Blake3.OutLen];
double best = double.MaxValue;
for (int run = 0; run < 4; run++)
{
    var watch = Stopwatch.StartNew();
    if (pieceMib > 0)
    {
        using var hasher = Blake3Hasher.Create();
        hasher.Parallel = threads == "all";
        for (int offset = 0; offset < data.Length; offset += pieceMib << 20)
            hasher.Update(data.AsSpan(offset, Math.Min(pieceMib << 20, data.Length - offset)));
        hasher.Finalize(hash);
    }
    else if (threads == "1")
    {
        // The streaming hasher never uses more than the calling thread unless Parallel is set.
        using var hasher = Blake3Hasher.Create();
        hasher.Update(data);
        hasher.Finalize(hash);
    }
    else
    {
        Blake3.Hash(data, hash);
    }
    double seconds = watch.Elapsed.TotalSeconds;
    if (run > 0)
        best = Math.Min(best, seconds); // run 0 warms up (page faults, JIT when not AOT)
}

Console.WriteLine(
    $"threads={threads} piece-mib={pieceMib} bytes={data.Length} seconds={best:F4} GB/s={data.Length / best / 1e9:F2} hash={Convert.ToHexStringLower(hash)}");
return 0;
