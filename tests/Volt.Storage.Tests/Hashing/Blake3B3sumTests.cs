using System.Diagnostics;
using System.Text;
using Shouldly;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Hashing;

/// <summary>
/// Volt's BLAKE3 against the reference implementation's CLI, <c>b3sum</c> (Debian package b3sum), on random
/// files. CI installs b3sum; without it these tests fail rather than skip.
/// </summary>
public sealed class Blake3B3sumTests : IDisposable
{
    private const int MiB = 1 << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("volt-b3sum-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string B3sumPath()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "b3sum");
            if (dir.Length > 0 && File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException(
            "b3sum is not on PATH; these tests compare against it. Install it (Debian/Ubuntu: apt-get install b3sum).");
    }

    /// <summary>Runs b3sum and returns its output lines.</summary>
    private static string[] B3sum(IEnumerable<string> args, byte[]? stdin = null)
    {
        var start = new ProcessStartInfo(B3sumPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (stdin is not null)
            process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"b3sum failed: {stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private string WriteRandomFile(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(_dir.FullName, $"random-{size}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Hash_RandomFilesOfManySizes_MatchesB3sum()
    {
        int[] sizes =
        [
            0, 1, 2, 63, 64, 65, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 16 * 1024 + 1,
            65535, 65536, 100_003, 262_144, MiB - 1, MiB, MiB + 1, 3 * MiB + 5, 8 * MiB - 1, 16 * MiB + 1024,
            33 * MiB + 77, 64 * MiB,
        ];
        var files = sizes.Select((size, i) => WriteRandomFile(size, i)).ToArray();

        var expected = B3sum(["--no-names", .. files]);

        expected.Length.ShouldBe(files.Length);
        for (int i = 0; i < files.Length; i++)
        {
            var data = File.ReadAllBytes(files[i]);
            Blake3.HashHex(data).ShouldBe(expected[i], $"one-shot, {sizes[i]} bytes");
            using var hasher = Blake3Hasher.Create();
            for (int offset = 0; offset < data.Length; offset += MiB)
                hasher.Update(data.AsSpan(offset, Math.Min(MiB, data.Length - offset)));
            Convert.ToHexStringLower(hasher.Finalize()).ShouldBe(expected[i], $"streamed in 1 MiB reads, {sizes[i]} bytes");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    [InlineData(5 * MiB + 3)]
    public void KeyedHash_RandomFile_MatchesB3sumKeyed(int size)
    {
        var file = WriteRandomFile(size, size);
        var key = new byte[Blake3.KeyLen];
        new Random(7).NextBytes(key);

        var expected = B3sum(["--keyed", "--no-names", file], stdin: key).Single();

        var output = new byte[32];
        Blake3.KeyedHash(key, File.ReadAllBytes(file), output);
        Convert.ToHexStringLower(output).ShouldBe(expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4097)]
    [InlineData(2 * MiB + 1)]
    public void DeriveKey_RandomFile_MatchesB3sumDeriveKey(int size)
    {
        const string context = "volt 2026-11-24 b3sum comparison";
        var file = WriteRandomFile(size, size + 3);

        var expected = B3sum(["--derive-key", context, "--no-names", file]).Single();

        var output = new byte[32];
        Blake3.DeriveKey(context, File.ReadAllBytes(file), output);
        Convert.ToHexStringLower(output).ShouldBe(expected);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3000, 200)]
    [InlineData(2 * MiB, 1000)]
    public void Hash_LongOutput_MatchesB3sumLength(int size, int outputLength)
    {
        var file = WriteRandomFile(size, size + 5);

        var expected = B3sum(["--length", outputLength.ToString(), "--no-names", file]).Single();

        var output = new byte[outputLength];
        Blake3.Hash(File.ReadAllBytes(file), output);
        Convert.ToHexStringLower(output).ShouldBe(expected);
    }

    [Fact]
    public void HashHex_Utf8Text_MatchesB3sumOnStdin()
    {
        var text = Encoding.UTF8.GetBytes("Stellarium CAS: objects are named by their BLAKE3 hash.\n");
        B3sum(["--no-names", "-"], stdin: text).Single().ShouldBe(Blake3.HashHex(text));
    }
}
