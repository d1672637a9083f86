using System.Runtime.CompilerServices;
using static Volt.Storage.Hashing.Blake3Constants;

namespace Volt.Storage.Hashing;

/// <summary>
/// The last compression of a node, held back until we know whether the node is the root: a non-root node
/// yields a chaining value, the root yields any number of output bytes (the XOF, counter = output block).
/// </summary>
[SkipLocalsInit]
internal unsafe struct Blake3Output
{
    public fixed uint InputCv[8];
    public fixed byte Block[BlockLen];
    public ulong Counter;
    public uint BlockLength;
    public byte Flags;

    /// <summary>A parent node over the 64 bytes of two child chaining values.</summary>
    public static Blake3Output Parent(byte* childCvs, uint* key, byte flags)
    {
        Blake3Output o;
        for (int i = 0; i < 8; i++)
            o.InputCv[i] = key[i];
        Buffer.MemoryCopy(childCvs, o.Block, BlockLen, BlockLen);
        o.Counter = 0;
        o.BlockLength = BlockLen;
        o.Flags = (byte)(flags | Blake3Constants.Parent);
        return o;
    }

    /// <summary>Writes this node's 32-byte chaining value to <paramref name="cvOut"/>.</summary>
    public void ChainingValue(byte* cvOut)
    {
        uint* cv = (uint*)cvOut;
        fixed (uint* input = InputCv)
        fixed (byte* block = Block)
        {
            for (int i = 0; i < 8; i++)
                cv[i] = input[i];
            Blake3Portable.CompressCv(cv, block, BlockLength, Counter, Flags);
        }
    }

    /// <summary>Fills <paramref name="output"/> with the root output stream, from its start.</summary>
    public void RootBytes(Span<byte> output)
    {
        byte* tmp = stackalloc byte[BlockLen];
        ulong outputBlock = 0;
        fixed (uint* input = InputCv)
        fixed (byte* block = Block)
        fixed (byte* outStart = output)
        {
            byte* o = outStart;
            int remaining = output.Length;
            while (remaining >= BlockLen)
            {
                Blake3Portable.CompressXof(input, block, BlockLength, outputBlock++, (uint)(Flags | Root), o);
                o += BlockLen;
                remaining -= BlockLen;
            }
            if (remaining > 0)
            {
                Blake3Portable.CompressXof(input, block, BlockLength, outputBlock, (uint)(Flags | Root), tmp);
                Buffer.MemoryCopy(tmp, o, remaining, remaining);
            }
        }
    }
}
