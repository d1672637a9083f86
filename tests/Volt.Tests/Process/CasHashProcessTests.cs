using System.Runtime.Intrinsics.X86;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Storage.Hashing;
using Volt.Testing;
using Xunit;

namespace Volt.Tests.Process;

/// <summary>
/// The shipped binary's BLAKE3: every kernel it can pick at run time (forced with VOLT_BLAKE3_KERNEL) gives the
/// official test vectors through <c>volt cas hash</c>, every way of reading a file (VOLT_BLAKE3_READ) gives the same
/// digest, and <c>cas put</c> of stored content writes no staging file.
/// </summary>
public sealed class CasHashProcessTests : IDisposable
{
    private readonly TempDir _dir = new("volt-hash");
    private string Root => _dir.Combine("root");

    public void Dispose() => _dir.Dispose();

    private (int Code, string Out, string Err) Volt(IDictionary<string, string>? env, params string[] args)
    {
        var all = new Dictionary<string, string> { ["VOLT_ROOT"] = Root, ["VOLT_COLOR"] = "never" };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) all[k] = v;
        return TestEnv.Run(VoltBinary.Path, args, all, null);
    }

    private static string VectorsPath => Path.Combine(TestEnv.TestData, "blake3", "test_vectors.json");

    private static (int Len, string Hash)[] Vectors()
    {
        var json = JsonNode.Parse(File.ReadAllText(VectorsPath))!;
        return [.. json["cases"]!.AsArray().Select(c => ((int)c!["input_len"]!, ((string)c["hash"]!)[..64]))];
    }

    private static byte[] VectorInput(int len)
    {
        var b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte)(i % 251);
        return b;
    }

    [Theory]
    [InlineData("Scalar")]
    [InlineData("Vector128")]
    [InlineData("Vector256")]
    [InlineData("Vector512")]
    public void Hash_ForcedKernel_GivesTheOfficialVectors(string kernel)
    {
        var vectors = Vectors();
        var files = vectors.Select(v => _dir.Write($"v/{v.Len}", VectorInput(v.Len))).ToArray();
        foreach (var threads in new[] { "1", "2" })
        {
            var r = Volt(new Dictionary<string, string> { ["VOLT_BLAKE3_KERNEL"] = kernel }, ["cas", "hash", "--threads", threads, "-o", "json", .. files]);
            r.Code.ShouldBe(0, r.Err);
            var results = JsonNode.Parse(r.Out)!.AsArray();
            results.Count.ShouldBe(vectors.Length);
            for (int i = 0; i < vectors.Length; i++)
            {
                ((string)results[i]!["digest"]!).ShouldBe("blake3:" + vectors[i].Hash, $"input_len {vectors[i].Len}, kernel {kernel}, threads {threads}");
                var used = (string)results[i]!["kernel"]!;
                // The binary runs the forced kernel when the CPU runs it (Vector512: the native kernel linked in); else
                // its widest.
                if (kernel != "Vector512" && (kernel != "Vector256" || Avx2.IsSupported)) used.ShouldBe(kernel);
                else if (kernel == "Vector512") used.ShouldBe(Avx512F.IsSupported ? "Vector512" : "Vector256");
            }
        }
    }

    [Fact]
    public void Hash_LargeFileOnOneAndAllThreads_MatchesTheLibrary()
    {
        var data = new byte[(9 << 20) + 333];
        new Random(5).NextBytes(data);
        var file = _dir.Write("big.bin", data);
        var expected = "blake3:" + Blake3.HashHex(data);
        foreach (var args in new[] { new[] { "cas", "hash", file }, ["cas", "hash", "--threads", "1", file] })
        {
            var r = Volt(null, args);
            r.Code.ShouldBe(0, r.Err);
            r.Out.Trim().ShouldBe($"{expected}  {file}");
        }
        Volt(null, "cas", "hash", "-a", "sha256", file).Out.ShouldStartWith("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)));
        Volt(null, "cas", "hash", _dir.Combine("missing")).Code.ShouldBe(3);
    }

    [Fact]
    public void Hash_OnAnAvx512Cpu_UsesTheVector512Kernel()
    {
        var file = _dir.Write("one.bin", [1, 2, 3]);
        var r = Volt(null, "cas", "hash", "-o", "json", file);
        r.Code.ShouldBe(0, r.Err);
        var used = (string)JsonNode.Parse(r.Out)!.AsArray()[0]!["kernel"]!;
        used.ShouldBe(Avx512F.IsSupported ? "Vector512" : Avx2.IsSupported ? "Vector256" : "Vector128");
    }

    [Theory]
    [InlineData("pread")]
    [InlineData("mmap")]
    [InlineData("populate")]
    public void Hash_LargeFileReadEachWay_MatchesTheLibrary(string read)
    {
        // Sizes around the mapping threshold (1 MiB) and its pages, on one and all threads.
        foreach (int size in new[] { (1 << 20) - 1, 1 << 20, (1 << 20) + 4097, (5 << 20) + 1 })
        {
            var data = new byte[size];
            new Random(size).NextBytes(data);
            var file = _dir.Write($"r{size}.bin", data);
            var expected = "blake3:" + Blake3.HashHex(data);
            foreach (var threads in new[] { "1", "2" })
            {
                var r = Volt(new Dictionary<string, string> { ["VOLT_BLAKE3_READ"] = read }, "cas", "hash", "--threads", threads, file);
                r.Code.ShouldBe(0, r.Err);
                r.Out.Trim().ShouldBe($"{expected}  {file}", $"size {size}, {read}, threads {threads}");
            }
        }
    }

    [Fact]
    public void Put_AlreadyStoredFile_CreatesNoStagingFile()
    {
        TestEnv.RequireTool("strace");
        var data = new byte[(6 << 20) + 1];
        new Random(9).NextBytes(data);
        var file = _dir.Write("layer.bin", data);
        var first = Volt(null, "cas", "put", file);
        first.Code.ShouldBe(0, first.Err);

        var log = _dir.Combine("strace.log");
        var r = TestEnv.Run("strace", ["-f", "-qq", "-e", "trace=openat,open,creat", "-o", log, VoltBinary.Path, "cas", "put", file],
            new Dictionary<string, string> { ["VOLT_ROOT"] = Root, ["VOLT_COLOR"] = "never" }, null);

        r.Code.ShouldBe(0, r.Err);
        r.Out.Trim().ShouldBe(first.Out.Trim());
        var creates = File.ReadAllLines(log).Where(l => l.Contains("O_CREAT") && l.Contains("/cas/")).ToList();
        creates.Where(l => !l.Contains("/cas/lock")).ShouldBeEmpty(); // the writer lock is the only file a re-put opens for writing
    }
}
