using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// BLAKE3 one-shot hashing: plain, keyed and key derivation, with any output length (XOF). Inputs of
/// 1 MiB and more are hashed on several threads, which does not change the result.
/// </summary>
[SkipLocalsInit]
public static unsafe partial class Blake3
{
    /// <summary>Default output length in bytes.</summary>
    public const int OutLen = Blake3Constants.OutLen;

    /// <summary>Key length of <see cref="KeyedHash"/> in bytes.</summary>
    public const int KeyLen = Blake3Constants.KeyLen;

    /// <summary>
    /// The kernel this process hashes with: the widest the CPU runs (Scalar, Vector128, Vector256 = AVX2, Vector512 =
    /// AVX-512F: managed under the JIT, the native one in the AOT binary), or the one VOLT_BLAKE3_KERNEL names.
    /// </summary>
    public static string Kernel => Blake3Backends.Best.ToString();

    /// <summary>Hashes <paramref name="input"/>, filling all of <paramref name="output"/> (any length).</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        uint* key = stackalloc uint[8];
        WriteIV(key);
        HashCore(input, key, 0, output, Blake3Backends.Best, parallel: true);
    }

    /// <summary>The 32-byte hash of <paramref name="input"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> input)
    {
        var output = new byte[OutLen];
        Hash(input, output);
        return output;
    }

    /// <summary>The 32-byte hash of <paramref name="input"/> as lowercase hex.</summary>
    public static string HashHex(ReadOnlySpan<byte> input)
    {
        Span<byte> output = stackalloc byte[OutLen];
        Hash(input, output);
        return Convert.ToHexStringLower(output);
    }

    /// <summary>Keyed hash (a MAC or PRF) of <paramref name="input"/> under a 32-byte key.</summary>
    public static void KeyedHash(ReadOnlySpan<byte> key32, ReadOnlySpan<byte> input, Span<byte> output)
    {
        uint* key = stackalloc uint[8];
        LoadKey(key32, key);
        HashCore(input, key, Blake3Constants.KeyedHash, output, Blake3Backends.Best, parallel: true);
    }

    /// <summary>
    /// Derives key material from <paramref name="keyMaterial"/> for the purpose named by
    /// <paramref name="context"/> (a hard-coded, globally unique, application-specific string).
    /// </summary>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(context);
        uint* key = stackalloc uint[8];
        ContextKey(context, key);
        HashCore(keyMaterial, key, DeriveKeyMaterial, output, Blake3Backends.Best, parallel: true);
    }

    /// <summary>The plain hash with a forced kernel and threading choice (tests compare kernels).</summary>
    internal static void Hash(ReadOnlySpan<byte> input, Span<byte> output, Blake3Backend backend, bool parallel)
    {
        uint* key = stackalloc uint[8];
        WriteIV(key);
        HashCore(input, key, 0, output, backend, parallel);
    }

    /// <summary>
    /// The chaining value of a whole subtree of the plain hash (more than one chunk, a power of two chunks, starting
    /// at chunk <paramref name="chunkCounter"/>, never the root), hashed on the calling thread.
    /// </summary>
    internal static void SubtreeCv(ReadOnlySpan<byte> subtree, ulong chunkCounter, Span<byte> cv, Blake3Backend backend)
    {
        uint* key = stackalloc uint[8];
        WriteIV(key);
        byte* parentBlock = stackalloc byte[BlockLen];
        fixed (byte* p = subtree)
            Blake3Tree.CompressSubtreeToParentNode(backend, p, (nuint)subtree.Length, key, chunkCounter, 0, parentBlock, false);
        fixed (byte* c = cv)
            Blake3Output.Parent(parentBlock, key, 0).ChainingValue(c);
    }

    /// <summary>Reads a 32-byte key as eight little-endian words.</summary>
    internal static void LoadKey(ReadOnlySpan<byte> key32, uint* key)
    {
        if (key32.Length != KeyLen)
            throw new ArgumentException($"A BLAKE3 key must be {KeyLen} bytes, not {key32.Length}.", nameof(key32));
        fixed (byte* k = key32)
            Buffer.MemoryCopy(k, key, KeyLen, KeyLen);
    }

    /// <summary>The key of derive_key's second stage: the hash of the context string in context mode.</summary>
    internal static void ContextKey(string context, uint* key)
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(context.Length));
        try
        {
            int n = Encoding.UTF8.GetBytes(context, utf8);
            uint* iv = stackalloc uint[8];
            WriteIV(iv);
            HashCore(utf8.AsSpan(0, n), iv, DeriveKeyContext, new Span<byte>(key, KeyLen),
                Blake3Backends.Best, parallel: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>The whole-input hash, with the kernel and threading chosen by the caller (tests force each).</summary>
    internal static void HashCore(ReadOnlySpan<byte> input, uint* key, byte flags, Span<byte> output,
        Blake3Backend backend, bool parallel)
    {
        fixed (byte* p = input)
        {
            if (input.Length <= ChunkLen)
            {
                Unsafe.SkipInit(out Blake3ChunkState chunk);
                chunk.Init(key, 0, flags);
                chunk.Update(p, (nuint)input.Length);
                chunk.Output().RootBytes(output);
                return;
            }
            byte* parentBlock = stackalloc byte[BlockLen];
            Blake3Tree.CompressSubtreeToParentNode(backend, p, (nuint)input.Length, key, 0, flags, parentBlock,
                parallel && Environment.ProcessorCount > 1);
            Blake3Output.Parent(parentBlock, key, flags).RootBytes(output);
        }
    }
}
