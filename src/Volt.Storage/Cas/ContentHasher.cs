using System.Security.Cryptography;
using Volt.Storage.Hashing;

namespace Volt.Storage.Cas;

/// <summary>Incremental hashing for any <see cref="HashAlgo"/> behind one type.</summary>
public sealed class ContentHasher : IDisposable
{
    private readonly Blake3Hasher? _blake3;
    private readonly IncrementalHash? _sha;

    public ContentHasher(HashAlgo algo, bool parallel = false)
    {
        Algorithm = algo;
        if (algo == HashAlgo.Blake3) { _blake3 = Blake3Hasher.Create(); _blake3.Parallel = parallel; }
        else _sha = IncrementalHash.CreateHash(algo == HashAlgo.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);
    }

    public HashAlgo Algorithm { get; }

    public void Update(ReadOnlySpan<byte> data)
    {
        if (_blake3 is not null) _blake3.Update(data);
        else _sha!.AppendData(data);
    }

    public Digest Finish()
    {
        if (_blake3 is not null) return Digest.FromHash(Algorithm, _blake3.Finalize());
        return Digest.FromHash(Algorithm, _sha!.GetHashAndReset());
    }

    public static Digest Hash(HashAlgo algo, ReadOnlySpan<byte> data) => algo switch
    {
        HashAlgo.Blake3 => Digest.FromHash(algo, Blake3.Hash(data)),
        HashAlgo.Sha256 => Digest.FromHash(algo, SHA256.HashData(data)),
        _ => Digest.FromHash(algo, SHA512.HashData(data)),
    };

    public void Dispose()
    {
        _blake3?.Dispose();
        _sha?.Dispose();
    }
}
