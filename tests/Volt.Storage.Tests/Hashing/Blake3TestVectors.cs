using Xunit;
using System.Text;
using System.Text.Json;

namespace Volt.Storage.Tests.Hashing;

/// <summary>One case of the official BLAKE3 test vectors: an input length and the three 131-byte outputs.</summary>
public sealed record Blake3Vector(int InputLen, string Hash, string KeyedHash, string DeriveKey)
{
    public override string ToString() => $"len={InputLen}";
}

/// <summary>
/// The official vectors at &lt;repo root&gt;/../shared/testdata/blake3/test_vectors.json, where the repo
/// root is the directory holding Volt.slnx above the test binaries.
/// </summary>
public static class Blake3TestVectors
{
    private static readonly Lazy<(byte[] Key, string Context, Blake3Vector[] Cases)> Data = new(Load);

    public static byte[] Key => Data.Value.Key;

    public static string Context => Data.Value.Context;

    public static IReadOnlyList<Blake3Vector> Cases => Data.Value.Cases;

    /// <summary>The theory data: every case's input length.</summary>
    public static TheoryData<int> InputLengths()
    {
        var data = new TheoryData<int>();
        foreach (var c in Cases)
            data.Add(c.InputLen);
        return data;
    }

    public static Blake3Vector Case(int inputLen) => Cases.Single(c => c.InputLen == inputLen);

    /// <summary>The vectors' input: 0, 1, …, 250, 0, 1, … repeated.</summary>
    public static byte[] Input(int length)
    {
        var input = new byte[length];
        for (int i = 0; i < length; i++)
            input[i] = (byte)(i % 251);
        return input;
    }

    /// <summary>The shared test data directory, found by walking up to the repo root.</summary>
    public static string SharedTestData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Volt.slnx")))
                continue;
            var testdata = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
            if (Directory.Exists(testdata))
                return testdata;
        }
        throw new DirectoryNotFoundException(
            $"No <repo root>/../shared/testdata above {AppContext.BaseDirectory} (repo root = the dir with Volt.slnx).");
    }

    private static (byte[], string, Blake3Vector[]) Load()
    {
        var path = Path.Combine(SharedTestData(), "blake3", "test_vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray()
            .Select(c => new Blake3Vector(
                c.GetProperty("input_len").GetInt32(),
                c.GetProperty("hash").GetString()!,
                c.GetProperty("keyed_hash").GetString()!,
                c.GetProperty("derive_key").GetString()!))
            .ToArray();
        return (Encoding.ASCII.GetBytes(root.GetProperty("key").GetString()!),
            root.GetProperty("context_string").GetString()!, cases);
    }
}
