using Microsoft.Extensions.Logging;
using Shouldly;
using Volt.Core.Errors;
using Volt.Core.IO;
using Xunit;

namespace Volt.Core.Tests.IO;

public sealed class ReverterTests
{
    [Fact]
    public void Uncommitted_UndoesInReverseOrder()
    {
        var undone = new List<string>();
        using (var r = new Reverter())
        {
            r.Add("bridge", () => undone.Add("bridge"));
            r.Add("veth", () => undone.Add("veth"));
        }
        undone.ShouldBe(["veth", "bridge"]);
    }

    [Fact]
    public async Task Uncommitted_AsyncUndosRunInReverseOrderWithSyncOnesBetween()
    {
        var undone = new List<string>();
        await using (var r = new Reverter())
        {
            r.Add("record", () => undone.Add("record"));
            r.Add("bridge", async ct => { await Task.Yield(); undone.Add("bridge"); });
            r.Add("nat", async ct => { await Task.Yield(); undone.Add("nat"); });
        }
        undone.ShouldBe(["nat", "bridge", "record"]);
    }

    [Fact]
    public async Task Committed_UndoesNothing()
    {
        var undone = false;
        await using (var r = new Reverter())
        {
            r.Add("x", () => undone = true);
            r.Add("y", _ => { undone = true; return Task.CompletedTask; });
            r.Commit();
        }
        undone.ShouldBeFalse();
    }

    [Fact]
    public async Task FailingUndo_DoesNotStopTheOthers_AndIsReportedAndLogged()
    {
        var ran = new List<string>();
        var log = new ListLogger();
        var r = new Reverter(log);
        r.Add("first", () => ran.Add("first"));
        r.Add("second", _ => Task.FromException(new IOException("Device or resource busy")));
        r.Add("third", () => throw new InvalidOperationException("gone"));
        r.Add("fourth", () => ran.Add("fourth"));
        await r.DisposeAsync();

        ran.ShouldBe(["fourth", "first"]);
        r.Report.Lines.ShouldBe(["undo of \"third\" failed: gone", "undo of \"second\" failed: Device or resource busy"]);
        r.Report.Failures[1].Error.ShouldBeOfType<IOException>();
        log.Entries.Count.ShouldBe(2);
        log.Entries.ShouldAllBe(e => e.Level == LogLevel.Warning && e.Id == 1001);
        log.Entries[0].Message.ShouldBe("Undo of \"third\" failed");
        log.Entries[0].Error.ShouldBeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task RevertAsync_AttachesTheReportToTheError_WhichKeepsItsMessageAndCode()
    {
        var error = new VoltException(ExitCode.Network, "attach failed: veth exists");
        await using var r = new Reverter();
        r.Add("delete bridge \"volt0\"", _ => throw new IOException("busy"));
        r.Add("release 10.0.0.2", () => { });
        await r.RevertAsync(error);

        error.Message.ShouldBe("attach failed: veth exists");
        error.Code.ShouldBe(ExitCode.Network);
        RevertReport.Of(error).ShouldNotBeNull().Lines.ShouldBe(["undo of \"delete bridge \"volt0\"\" failed: busy"]);
        RevertReport.MessageOf(error).ShouldBe("attach failed: veth exists; undo of \"delete bridge \"volt0\"\" failed: busy");
        RevertReport.Of(new VoltException(ExitCode.General, "wrapped", error)).ShouldBeSameAs(RevertReport.Of(error));
    }

    [Fact]
    public async Task RevertAsync_WithCleanUndos_AttachesNothing()
    {
        var error = new InvalidOperationException("boom");
        var undone = false;
        await using var r = new Reverter();
        r.Add("x", () => undone = true);
        await r.RevertAsync(error);
        undone.ShouldBeTrue();
        RevertReport.Of(error).ShouldBeNull();
        RevertReport.MessageOf(error).ShouldBe("boom");
    }

    [Fact]
    public async Task RevertAsync_ThenDispose_UndoesOnce()
    {
        var count = 0;
        var r = new Reverter();
        r.Add("x", () => count++);
        await r.RevertAsync(new InvalidOperationException());
        await r.DisposeAsync();
        count.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_CommitsOnSuccess_AndRevertsWithTheReportOnFailure()
    {
        var undone = false;
        (await Reverter.RunAsync(null, rev => { rev.Add("x", () => undone = true); return Task.FromResult(42); })).ShouldBe(42);
        undone.ShouldBeFalse();

        var e = await Should.ThrowAsync<VoltException>(() => Reverter.RunAsync<int>(null, async rev =>
        {
            rev.Add("cgroup", () => undone = true);
            rev.Add("unit", _ => throw new IOException("read-only file system"));
            await Task.Yield();
            throw new VoltException(ExitCode.Resource, "no space left on device");
        }));
        undone.ShouldBeTrue();
        e.Message.ShouldBe("no space left on device");
        RevertReport.Of(e)!.Lines.ShouldBe(["undo of \"unit\" failed: read-only file system"]);
    }

    [Fact]
    public void Run_RevertsSynchronousChanges_AndUndoesWithCancelledTokenNever()
    {
        CancellationToken seen = new(canceled: true);
        var e = Should.Throw<InvalidOperationException>(() => Reverter.Run<int>(null, rev =>
        {
            rev.Add("async", ct => { seen = ct; return Task.CompletedTask; });
            throw new InvalidOperationException("step 2 failed");
        }));
        e.Message.ShouldBe("step 2 failed");
        seen.CanBeCanceled.ShouldBeFalse();
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, int Id, string Message, Exception? Error)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId.Id, formatter(state, exception), exception));
    }
}
