using Shouldly;
using Volt.Core.Threading;
using Xunit;

namespace Volt.Core.Tests.Threading;

public sealed class WorkersTests
{
    [Fact]
    public void Run_VisitsEveryIndexExactlyOnce()
    {
        var hits = new int[1000];
        Workers.Run(4, hits.Length, i => Interlocked.Increment(ref hits[i]));
        hits.ShouldAllBe(h => h == 1);
    }

    [Fact]
    public void Run_FirstFailureStopsTheRestAndIsRethrownUnwrapped()
    {
        var done = 0;
        var e = Should.Throw<InvalidOperationException>(() => Workers.Run(2, 10_000, i =>
        {
            if (i == 10) throw new InvalidOperationException("boom");
            Interlocked.Increment(ref done);
            Thread.SpinWait(1000);
        }));
        e.Message.ShouldBe("boom");
        done.ShouldBeLessThan(9_999);
    }

    [Fact]
    public void Run_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Should.Throw<OperationCanceledException>(() => Workers.Run(2, 10, _ => { }, cts.Token));
    }
}
