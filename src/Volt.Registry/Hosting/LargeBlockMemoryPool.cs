using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Volt.Registry.Hosting;

/// <summary>
/// Kestrel's memory pool for the registry: pinned blocks of <see cref="BlockSize"/> instead of Kestrel's 4 KiB.
/// The socket transport receives into the free tail of the current block, so the block size is the receive size:
/// with 4 KiB blocks a 100 MB push was 24 471 <c>recvfrom</c>s and as many wake-ups of the body reader (a
/// futex/sched_yield storm, docs/benchmarks.md); with 128 KiB blocks it is at most one per 128 KiB. Kestrel
/// resolves <see cref="IMemoryPoolFactory{T}"/> from DI for its transport pools (.NET 10), so this plugs in with
/// one registration. An idle keep-alive connection holds one block; at most <see cref="Retained"/> free blocks
/// stay per pool, the rest go back to the GC.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 128 << 10;
    public const int Retained = 64;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // Callers that need more than a block (none in Kestrel's pipes: they go to the ArrayPool above MaxBufferSize)
        // get an unpooled array rather than an exception.
        if (minBufferSize > BlockSize) return new Block(null, GC.AllocateUninitializedArray<byte>(minBufferSize, pinned: true));
        if (_free.TryDequeue(out var b))
        {
            Interlocked.Decrement(ref _freeCount);
            b.Lease();
            return b;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    private void Return(Block b)
    {
        if (Volatile.Read(ref _disposed)) return;
        if (Interlocked.Increment(ref _freeCount) > Retained)
        {
            Interlocked.Decrement(ref _freeCount);
            return;
        }
        _free.Enqueue(b);
    }

    protected override void Dispose(bool disposing)
    {
        Volatile.Write(ref _disposed, true);
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool? pool, byte[] array) : IMemoryOwner<byte>
    {
        // Pinned array: Memory.Pin() in the socket layer costs nothing (no GCHandle per receive).
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length);
        private int _leased = 1;

        public void Lease() => Volatile.Write(ref _leased, 1);

        public void Dispose()
        {
            // A second Dispose of the same lease must not put the block in the queue twice.
            if (Interlocked.Exchange(ref _leased, 0) == 1) pool?.Return(this);
        }
    }
}

/// <summary>Gives Kestrel a <see cref="LargeBlockMemoryPool"/> for every pool it creates.</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
