using System.Numerics;
using System.Runtime.CompilerServices;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// Incremental BLAKE3: feed input in pieces of any size with <see cref="Update"/>; the result does not
/// depend on how the input was split. Whole subtrees inside a large update go through the wide SIMD
/// kernels (and, with <see cref="Parallel"/>, several threads), so streaming 1 MiB reads costs about what
/// a one-shot hash does.
/// </summary>
[SkipLocalsInit]
public sealed unsafe class Blake3Hasher : IDisposable
{
    private State _state;

    private struct State
    {
        public fixed uint Key[8];
        public fixed byte CvStack[MaxDepth * OutLen];
        public int CvStackLen;
        public byte Flags;
        public Blake3ChunkState Chunk;
    }

    private Blake3Hasher(uint* key, byte flags)
    {
        for (int i = 0; i < 8; i++)
            _state.Key[i] = key[i];
        _state.Flags = flags;
        Reset();
    }

    /// <summary>When true, large updates hash subtrees on several threads. Off by default.</summary>
    public bool Parallel { get; set; }

    /// <summary>The kernel used for whole chunks; tests force each one.</summary>
    internal Blake3Backend Backend { get; set; } = Blake3Backends.Best;

    /// <summary>A hasher for the plain hash.</summary>
    public static Blake3Hasher Create()
    {
        uint* key = stackalloc uint[8];
        WriteIV(key);
        return new Blake3Hasher(key, 0);
    }

    /// <summary>A hasher for the keyed hash under a 32-byte key.</summary>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key32)
    {
        uint* key = stackalloc uint[8];
        Blake3.LoadKey(key32, key);
        return new Blake3Hasher(key, KeyedHash);
    }

    /// <summary>A hasher deriving key material for <paramref name="context"/>; feed it the key material.</summary>
    public static Blake3Hasher CreateDeriveKey(string context)
    {
        ArgumentNullException.ThrowIfNull(context);
        uint* key = stackalloc uint[8];
        Blake3.ContextKey(context, key);
        return new Blake3Hasher(key, DeriveKeyMaterial);
    }

    /// <summary>Forgets all input, keeping the mode and key.</summary>
    public void Reset()
    {
        fixed (State* s = &_state)
        {
            s->CvStackLen = 0;
            s->Chunk.Init(s->Key, 0, s->Flags);
        }
    }

    /// <summary>Absorbs more input.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        fixed (State* s = &_state)
        {
            byte* p = start;
            nuint len = (nuint)data.Length;
            byte* pair = stackalloc byte[2 * OutLen];
            if (s->Chunk.Length > 0)
            {
                nuint take = Math.Min((nuint)(ChunkLen - s->Chunk.Length), len);
                s->Chunk.Update(p, take);
                p += take;
                len -= take;
                if (len == 0)
                    return;
                // The chunk is full and more input follows, so it is not the root.
                s->Chunk.Output().ChainingValue(pair);
                ulong next = s->Chunk.ChunkCounter + 1;
                PushCv(s, pair, next - 1);
                s->Chunk.Init(s->Key, next, s->Flags);
            }

            // Hash the largest whole subtrees that fit, each aligned to its own size in the tree, but always
            // keep at least one byte back in the chunk state: the last chunk might be the root.
            while (len > ChunkLen)
            {
                ulong counter = s->Chunk.ChunkCounter;
                nuint subtreeLen = (nuint)1 << BitOperations.Log2(len);
                while (((ulong)(subtreeLen - 1) & (counter * ChunkLen)) != 0)
                    subtreeLen >>= 1;
                ulong subtreeChunks = subtreeLen / ChunkLen;
                if (subtreeLen <= ChunkLen)
                {
                    Unsafe.SkipInit(out Blake3ChunkState chunk);
                    chunk.Init(s->Key, counter, s->Flags);
                    chunk.Update(p, subtreeLen);
                    chunk.Output().ChainingValue(pair);
                    PushCv(s, pair, counter);
                }
                else
                {
                    Blake3Tree.CompressSubtreeToParentNode(Backend, p, subtreeLen, s->Key, counter, s->Flags, pair,
                        Parallel && Environment.ProcessorCount > 1);
                    PushCv(s, pair, counter);
                    PushCv(s, pair + OutLen, counter + subtreeChunks / 2);
                }
                s->Chunk.ChunkCounter += subtreeChunks;
                p += subtreeLen;
                len -= subtreeLen;
            }

            if (len > 0)
            {
                s->Chunk.Update(p, len);
                MergeCvStack(s, s->Chunk.ChunkCounter);
            }
        }
    }

    /// <summary>
    /// Absorbs the chaining value of a whole subtree hashed elsewhere (another thread): <paramref name="cv"/> is the
    /// CV of the next <paramref name="chunks"/> chunks (a power of two), which start at a multiple of their own
    /// size. Only between whole subtrees (no partial chunk buffered) and never for the input's last bytes, which
    /// must go through <see cref="Update"/> because they might be the root.
    /// </summary>
    internal void AppendSubtreeCv(ReadOnlySpan<byte> cv, ulong chunks)
    {
        fixed (byte* c = cv)
        fixed (State* s = &_state)
        {
            ulong counter = s->Chunk.ChunkCounter;
            if (s->Chunk.Length != 0 || cv.Length != OutLen || !BitOperations.IsPow2(chunks) || (counter & (chunks - 1)) != 0)
                throw new InvalidOperationException("A subtree CV must be whole, aligned and follow whole subtrees.");
            PushCv(s, c, counter);
            s->Chunk.ChunkCounter = counter + chunks;
        }
    }

    /// <summary>
    /// Merges completed subtrees: after <paramref name="totalChunks"/> chunks the stack holds one CV per set
    /// bit. Merging is lazy (done before a push, not after) so the last CVs stay available for the root.
    /// </summary>
    private static void MergeCvStack(State* s, ulong totalChunks)
    {
        int target = BitOperations.PopCount(totalChunks);
        while (s->CvStackLen > target)
        {
            byte* top2 = s->CvStack + (s->CvStackLen - 2) * OutLen;
            Blake3Output.Parent(top2, s->Key, s->Flags).ChainingValue(top2);
            s->CvStackLen--;
        }
    }

    private static void PushCv(State* s, byte* cv, ulong chunkCounter)
    {
        MergeCvStack(s, chunkCounter);
        Buffer.MemoryCopy(cv, s->CvStack + s->CvStackLen * OutLen, OutLen, OutLen);
        s->CvStackLen++;
    }

    /// <summary>Writes the output for the input so far (any length); the hasher can keep going afterwards.</summary>
    public void Finalize(Span<byte> output)
    {
        fixed (State* s = &_state)
        {
            if (s->CvStackLen == 0)
            {
                s->Chunk.Output().RootBytes(output);
                return;
            }
            Blake3Output node;
            int remaining;
            if (s->Chunk.Length > 0)
            {
                node = s->Chunk.Output();
                remaining = s->CvStackLen;
            }
            else
            {
                node = Blake3Output.Parent(s->CvStack + (s->CvStackLen - 2) * OutLen, s->Key, s->Flags);
                remaining = s->CvStackLen - 2;
            }
            byte* block = stackalloc byte[BlockLen];
            while (remaining > 0)
            {
                remaining--;
                Buffer.MemoryCopy(s->CvStack + remaining * OutLen, block, OutLen, OutLen);
                node.ChainingValue(block + OutLen);
                node = Blake3Output.Parent(block, s->Key, s->Flags);
            }
            node.RootBytes(output);
        }
    }

    /// <summary>The 32-byte hash of the input so far.</summary>
    public byte[] Finalize()
    {
        var output = new byte[OutLen];
        Finalize(output);
        return output;
    }

    /// <summary>Wipes the key and state.</summary>
    public void Dispose()
    {
        _state = default;
        GC.SuppressFinalize(this);
    }
}
