using Shouldly;
using Volt.Registry.Hosting;
using Xunit;

namespace Volt.Registry.Tests.Hosting;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Rent_SmallRequest_GivesAWholeBlock()
    {
        using var pool = new LargeBlockMemoryPool();
        using var block = pool.Rent(4096);
        block.Memory.Length.ShouldBe(LargeBlockMemoryPool.BlockSize);
        pool.MaxBufferSize.ShouldBe(LargeBlockMemoryPool.BlockSize);
    }

    [Fact]
    public void Rent_AfterReturn_ReusesTheBlock_AndADoubleDisposeDoesNotHandItOutTwice()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        first.Memory.Span[0] = 42;
        first.Dispose();
        first.Dispose();

        using var a = pool.Rent();
        using var b = pool.Rent();

        a.ShouldBeSameAs(first, "a returned block is reused");
        b.ShouldNotBeSameAs(first, "disposing twice returned the block once");
    }

    [Fact]
    public void Rent_LargerThanABlock_GivesThatMuch()
    {
        using var pool = new LargeBlockMemoryPool();
        using var big = pool.Rent(LargeBlockMemoryPool.BlockSize + 1);
        big.Memory.Length.ShouldBeGreaterThanOrEqualTo(LargeBlockMemoryPool.BlockSize + 1);
    }
}
