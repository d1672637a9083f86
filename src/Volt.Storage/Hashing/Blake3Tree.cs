using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Volt.Core.Native;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// Hashing of whole subtrees. A subtree of n chunks splits into a left subtree of the largest power of two
/// chunks below n and the rest; leaves of up to <c>degree</c> chunks go through one wide kernel pass and
/// each level's parents are hashed <c>degree</c> at a time too. Subtrees of at least
/// <see cref="ParallelMinBytes"/> hash their halves on two threads.
/// </summary>
[SkipLocalsInit]
internal static unsafe class Blake3Tree
{
    /// <summary>Inputs at least this long hash their two halves concurrently.</summary>
    public const nuint ParallelMinBytes = 1 << 20;

    private const int CvArrayBytes = 2 * MaxSimdDegree * OutLen;

    /// <summary>
    /// Hashes <paramref name="count"/> inputs at <paramref name="input"/> + i·<paramref name="stride"/>, each
    /// of <paramref name="blocks"/> full blocks, into 32-byte chaining values at <paramref name="output"/>.
    /// Input i uses counter + i when <paramref name="incrementCounter"/> (chunks) or counter (parents).
    /// </summary>
    public static void HashMany(Blake3Backend backend, byte* input, nint stride, int count, int blocks,
        uint* key, ulong counter, bool incrementCounter, byte flags, byte flagsStart, byte flagsEnd, byte* output)
    {
        // Each backend also runs the narrower kernels on what is left over: 16, then 8, then 4, then 1.
        if (backend >= Blake3Backend.Vector512 && count >= Blake3Avx512.Degree && Blake3Native.UseKernel)
        {
            // The AVX-512 kernel of the AOT binary (native: the managed one is compiled out there); one call for all.
            int done = VoltNative.volt_blake3_hash_many16(input, stride, count, blocks, key, counter,
                incrementCounter ? 1 : 0, flags, flagsStart, flagsEnd, output);
            input += done * stride;
            output += done * OutLen;
            if (incrementCounter)
                counter += (ulong)done;
            count -= done;
        }
        else if (backend >= Blake3Backend.Vector512 && Avx512F.IsSupported)
        {
            for (; count >= Blake3Avx512.Degree; count -= Blake3Avx512.Degree)
            {
                Blake3Avx512.HashMany16(input, stride, blocks, key, counter, incrementCounter, flags, flagsStart,
                    flagsEnd, output);
                Advance(Blake3Avx512.Degree, ref input, stride, ref output, ref counter, incrementCounter);
            }
        }
        if (backend >= Blake3Backend.Vector256)
        {
            for (; count >= Blake3Avx2.Degree; count -= Blake3Avx2.Degree)
            {
                Blake3Avx2.HashMany8(input, stride, blocks, key, counter, incrementCounter, flags, flagsStart,
                    flagsEnd, output);
                Advance(Blake3Avx2.Degree, ref input, stride, ref output, ref counter, incrementCounter);
            }
        }
        if (backend >= Blake3Backend.Vector128)
        {
            for (; count >= Blake3Vector128.Degree; count -= Blake3Vector128.Degree)
            {
                Blake3Vector128.HashMany4(input, stride, blocks, key, counter, incrementCounter, flags, flagsStart,
                    flagsEnd, output);
                Advance(Blake3Vector128.Degree, ref input, stride, ref output, ref counter, incrementCounter);
            }
        }
        Blake3Portable.HashMany(input, stride, count, blocks, key, counter, incrementCounter, flags,
            flagsStart, flagsEnd, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Advance(int lanes, ref byte* input, nint stride, ref byte* output, ref ulong counter,
        bool incrementCounter)
    {
        input += lanes * stride;
        output += lanes * OutLen;
        if (incrementCounter)
            counter += (ulong)lanes;
    }

    /// <summary>Per-lane counters, low words then high words: counter + lane, or counter in every lane.</summary>
    public static void LaneCounters(ulong counter, bool increment, int lanes, uint* words)
    {
        for (int i = 0; i < lanes; i++)
        {
            ulong c = increment ? counter + (ulong)i : counter;
            words[i] = (uint)c;
            words[lanes + i] = (uint)(c >> 32);
        }
    }

    /// <summary>Un-transposes lane-major CV words (word w of lane i at w·lanes + i) into 32-byte CVs.</summary>
    public static void StoreCvs(uint* words, int lanes, byte* output)
    {
        uint* o = (uint*)output;
        for (int i = 0; i < lanes; i++, o += 8)
            for (int w = 0; w < 8; w++)
                o[w] = words[w * lanes + i];
    }

    /// <summary>Hashes the chunks of an input of at most degree chunks; returns how many CVs it wrote.</summary>
    private static int CompressChunks(Blake3Backend backend, byte* input, nuint len, uint* key, ulong counter,
        byte flags, byte* output)
    {
        int fullChunks = (int)(len / ChunkLen);
        HashMany(backend, input, ChunkLen, fullChunks, ChunkLen / BlockLen, key, counter, true, flags,
            ChunkStart, ChunkEnd, output);
        nuint rest = len - (nuint)fullChunks * ChunkLen;
        if (rest == 0)
            return fullChunks;
        Unsafe.SkipInit(out Blake3ChunkState chunk);
        chunk.Init(key, counter + (ulong)fullChunks, flags);
        chunk.Update(input + (nuint)fullChunks * ChunkLen, rest);
        chunk.Output().ChainingValue(output + fullChunks * OutLen);
        return fullChunks + 1;
    }

    /// <summary>Hashes pairs of CVs into parent CVs; an odd CV out passes through. Returns the new count.</summary>
    private static int CompressParents(Blake3Backend backend, byte* cvs, int count, uint* key, byte flags,
        byte* output)
    {
        int pairs = count / 2;
        HashMany(backend, cvs, BlockLen, pairs, 1, key, 0, false, (byte)(flags | Parent), 0, 0, output);
        if ((count & 1) == 0)
            return pairs;
        Buffer.MemoryCopy(cvs + pairs * BlockLen, output + pairs * OutLen, OutLen, OutLen);
        return pairs + 1;
    }

    /// <summary>Bytes in the left subtree: the largest power-of-two number of chunks that leaves some input.</summary>
    public static nuint LeftLen(nuint len)
    {
        nuint fullChunks = (len - 1) / ChunkLen;
        return (nuint)1 << BitOperations.Log2(fullChunks) << 10;
    }

    /// <summary>
    /// Reduces a subtree of more than one chunk to at most degree (at least two) CVs, written to
    /// <paramref name="output"/>; returns how many. A subtree of a power of two chunks that is at least
    /// degree chunks always yields exactly degree CVs, so the left half's CVs end where the right's begin.
    /// </summary>
    private static int CompressSubtreeWide(Blake3Backend backend, byte* input, nuint len, uint* key,
        ulong counter, byte flags, byte* output, bool parallel)
    {
        int degree = Blake3Backends.Degree(backend);
        if (len <= (nuint)degree * ChunkLen)
            return CompressChunks(backend, input, len, key, counter, flags, output);

        nuint leftLen = LeftLen(len);
        nuint rightLen = len - leftLen;
        ulong rightCounter = counter + leftLen / ChunkLen;
        if (leftLen > ChunkLen && degree == 1)
            degree = 2;
        byte* cvs = stackalloc byte[CvArrayBytes];
        byte* rightCvs = cvs + degree * OutLen;

        int leftN, rightN;
        if (parallel && len >= ParallelMinBytes)
        {
            var left = new SubtreeJob(backend, input, leftLen, key, counter, flags, cvs);
            var task = Task.Factory.StartNew(static s => ((SubtreeJob)s!).Run(), left,
                CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
            try
            {
                rightN = CompressSubtreeWide(backend, input + leftLen, rightLen, key, rightCounter, flags, rightCvs,
                    true);
            }
            finally
            {
                task.Wait(); // never leave this frame (whose stack the left half writes to) before the left half ends
            }
            leftN = left.Result;
        }
        else
        {
            leftN = CompressSubtreeWide(backend, input, leftLen, key, counter, flags, cvs, false);
            rightN = CompressSubtreeWide(backend, input + leftLen, rightLen, key, rightCounter, flags, rightCvs, false);
        }

        // Only with degree 1: both halves were single chunks, and the pair is already what the caller needs.
        if (leftN == 1)
        {
            Buffer.MemoryCopy(cvs, output, 2 * OutLen, 2 * OutLen);
            return 2;
        }
        return CompressParents(backend, cvs, leftN + rightN, key, flags, output);
    }

    /// <summary>
    /// Hashes a subtree of more than one chunk down to its two child CVs (64 bytes: the block of the
    /// subtree's own parent node, which stays unhashed because it might be the root).
    /// </summary>
    public static void CompressSubtreeToParentNode(Blake3Backend backend, byte* input, nuint len, uint* key,
        ulong counter, byte flags, byte* parentBlock, bool parallel)
    {
        byte* cvs = stackalloc byte[CvArrayBytes];
        byte* next = stackalloc byte[CvArrayBytes / 2];
        int count = CompressSubtreeWide(backend, input, len, key, counter, flags, cvs, parallel);
        while (count > 2)
        {
            count = CompressParents(backend, cvs, count, key, flags, next);
            Buffer.MemoryCopy(next, cvs, count * OutLen, count * OutLen);
        }
        Buffer.MemoryCopy(cvs, parentBlock, BlockLen, BlockLen);
    }

    /// <summary>The left half of a fork; pointers stay valid because the forking frame waits for it.</summary>
    private sealed class SubtreeJob(Blake3Backend backend, byte* input, nuint len, uint* key, ulong counter,
        byte flags, byte* output)
    {
        public int Result;

        public void Run() =>
            Result = CompressSubtreeWide(backend, input, len, key, counter, flags, output, true);
    }
}
