using System.Runtime.CompilerServices;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// One chunk (up to 1024 bytes, 16 blocks) being hashed incrementally. The last block is always kept in
/// <see cref="Buf"/> because only finalization knows whether it carries CHUNK_END (and ROOT).
/// </summary>
[SkipLocalsInit]
internal unsafe struct Blake3ChunkState
{
    public fixed uint Cv[8];
    public fixed byte Buf[BlockLen];
    public ulong ChunkCounter;
    public int BufLen;
    public int BlocksCompressed;
    public byte Flags;

    /// <summary>Input bytes absorbed into this chunk so far.</summary>
    public readonly int Length => BlocksCompressed * BlockLen + BufLen;

    private readonly byte StartFlag => BlocksCompressed == 0 ? ChunkStart : (byte)0;

    public void Init(uint* key, ulong chunkCounter, byte flags)
    {
        for (int i = 0; i < 8; i++)
            Cv[i] = key[i];
        fixed (byte* buf = Buf)
            new Span<byte>(buf, BlockLen).Clear();
        ChunkCounter = chunkCounter;
        BufLen = 0;
        BlocksCompressed = 0;
        Flags = flags;
    }

    /// <summary>Absorbs input; the caller never passes more than fits in the chunk.</summary>
    public void Update(byte* input, nuint len)
    {
        fixed (uint* cv = Cv)
        fixed (byte* buf = Buf)
        {
            if (BufLen > 0)
            {
                int take = (int)Math.Min((nuint)(BlockLen - BufLen), len);
                Buffer.MemoryCopy(input, buf + BufLen, take, take);
                BufLen += take;
                input += take;
                len -= (nuint)take;
                if (len == 0)
                    return;
                Blake3Portable.CompressCv(cv, buf, BlockLen, ChunkCounter, (uint)(Flags | StartFlag));
                BlocksCompressed++;
                BufLen = 0;
                new Span<byte>(buf, BlockLen).Clear();
            }
            while (len > BlockLen)
            {
                Blake3Portable.CompressCv(cv, input, BlockLen, ChunkCounter, (uint)(Flags | StartFlag));
                BlocksCompressed++;
                input += BlockLen;
                len -= BlockLen;
            }
            Buffer.MemoryCopy(input, buf, BlockLen, (long)len);
            BufLen = (int)len;
        }
    }

    /// <summary>The chunk's final block, to be turned into a chaining value or root output.</summary>
    public readonly Blake3Output Output()
    {
        Blake3Output o;
        for (int i = 0; i < 8; i++)
            o.InputCv[i] = Cv[i];
        for (int i = 0; i < BlockLen; i++)
            o.Block[i] = Buf[i];
        o.BlockLength = (uint)BufLen;
        o.Counter = ChunkCounter;
        o.Flags = (byte)(Flags | StartFlag | ChunkEnd);
        return o;
    }
}
