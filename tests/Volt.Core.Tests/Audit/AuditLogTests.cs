using Xunit;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Volt.Core.Audit;
using Volt.Testing;

namespace Volt.Core.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 7, 12, 14, 23, 1, 123, TimeSpan.Zero));

    private AuditLog NewLog() => new(_dir.Combine("log", "audit.log"), _time);

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Rewrites the log as an attacker would, through a plain descriptor: .NET's own file writes take an advisory
    /// lock, and a child another test forks in this process can still hold the log's last descriptor (and its flock)
    /// between fork and exec — that made File.WriteAllLines fail with "used by another process" under CI's load.
    /// </summary>
    private static void Tamper(string path, IEnumerable<string> lines) => Tamper(path, string.Concat(lines.Select(l => l + "\n")));

    private static void Tamper(string path, string text)
    {
        using var handle = Volt.Core.IO.Posix.OpenForLocking(path);
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(text), 0);
    }

    [Fact]
    public void Append_WritesSeedFieldsAsOneJsonLine()
    {
        var log = NewLog();
        log.Append("container.create", "web", success: true);
        var line = File.ReadAllLines(log.Path).ShouldHaveSingleItem();
        line.ShouldStartWith("""{"timestamp":"2025-07-12T14:23:01.123Z","user":""");
        line.ShouldContain("\"action\":\"container.create\",\"resource\":\"web\",\"result\":\"success\"");
        line.ShouldContain("\"uid\":");
        line.ShouldNotContain("\"error\"");
    }

    [Fact]
    public void Begin_WritesTheLineAtOnce_AndCommitSyncsWritesTheHeadAndUnlocks()
    {
        var log = NewLog();
        log.Append("cas.put", "first", true);
        var pending = log.Begin("service.start", "web", true, null, "alice", 1000);
        File.ReadAllLines(log.Path).Length.ShouldBe(2, "readers see the line before it is durable");
        log.ReadHead()!.Seq.ShouldBe(1, "the head names a synced line only");
        using (var other = Volt.Core.IO.Posix.OpenForLocking(log.Path))
            Volt.Core.IO.Posix.TryLock(other, Volt.Core.IO.Posix.LOCK_EX).ShouldBeFalse("the log stays locked until commit");
        pending.Commit();
        log.ReadHead()!.Seq.ShouldBe(2);
        pending.Entry.Seq.ShouldBe(2);
        pending.Dispose(); // after a commit: nothing more
        log.Append("cas.put", "third", true).Seq.ShouldBe(3);
        AuditVerifier.Verify(log).Ok.ShouldBeTrue();
    }

    [Fact]
    public void Append_Failure_RecordsError()
    {
        var log = NewLog();
        log.Append("cas.build", "images/x", success: false, error: "directory \"x\" not found");
        File.ReadAllText(log.Path).ShouldContain("\"result\":\"failure\",\"error\":\"directory \\u0022x\\u0022 not found\"");
    }

    [Fact]
    public void Verify_UntouchedChain_IsOk()
    {
        var log = NewLog();
        for (var i = 0; i < 5; i++) log.Append("cas.put", $"obj{i}", true);
        var r = AuditVerifier.Verify(log);
        r.Ok.ShouldBeTrue(string.Join("; ", r.Problems));
        r.Lines.ShouldBe(5);
    }

    [Fact]
    public void Verify_EditedLine_IsDetectedAtTheNextLine()
    {
        var log = NewLog();
        for (var i = 0; i < 4; i++) log.Append("cas.put", $"obj{i}", true);
        var lines = File.ReadAllLines(log.Path);
        lines[1] = lines[1].Replace("obj1", "objX");
        Tamper(log.Path, lines);
        var r = AuditVerifier.Verify(log);
        r.Ok.ShouldBeFalse();
        r.Problems.ShouldContain(p => p.Line == 3);
    }

    [Fact]
    public void Verify_RemovedMiddleLine_IsDetected()
    {
        var log = NewLog();
        for (var i = 0; i < 4; i++) log.Append("cas.put", $"obj{i}", true);
        var lines = File.ReadAllLines(log.Path).ToList();
        lines.RemoveAt(2);
        Tamper(log.Path, lines);
        AuditVerifier.Verify(log).Problems.ShouldContain(p => p.Line == 3);
    }

    [Fact]
    public void Verify_InsertedLine_IsDetected()
    {
        var log = NewLog();
        for (var i = 0; i < 3; i++) log.Append("cas.put", $"obj{i}", true);
        var lines = File.ReadAllLines(log.Path).ToList();
        lines.Insert(1, lines[0].Replace("obj0", "forged"));
        Tamper(log.Path, lines);
        AuditVerifier.Verify(log).Ok.ShouldBeFalse();
    }

    [Fact]
    public void Verify_RemovedLastLine_IsDetectedThroughTheHead()
    {
        var log = NewLog();
        for (var i = 0; i < 3; i++) log.Append("cas.put", $"obj{i}", true);
        var lines = File.ReadAllLines(log.Path);
        Tamper(log.Path, lines[..^1]);
        var r = AuditVerifier.Verify(log);
        r.Ok.ShouldBeFalse();
        r.Problems.ShouldContain(p => p.Problem.Contains("head"));
    }

    [Fact]
    public void Verify_EditedLastLine_IsDetectedThroughTheHead()
    {
        var log = NewLog();
        for (var i = 0; i < 3; i++) log.Append("cas.put", $"obj{i}", true);
        Tamper(log.Path, File.ReadAllText(log.Path).Replace("obj2", "objZ"));
        AuditVerifier.Verify(log).Ok.ShouldBeFalse();
    }

    [Fact]
    public void Verify_AHeadBehindTheLog_AsAMachineCrashLeavesIt_IsOk()
    {
        // The head is written without fsync after the synced line: a crash can leave the previous head on disk.
        var log = NewLog();
        for (var i = 0; i < 3; i++) log.Append("cas.put", $"obj{i}", true);
        var earlier = File.ReadAllBytes(log.HeadPath);
        log.Append("cas.put", "obj3", true);
        File.WriteAllBytes(log.HeadPath, earlier);
        var r = AuditVerifier.Verify(log);
        r.Ok.ShouldBeTrue(string.Join("; ", r.Problems));
        // ... and the next append writes the head from the log again.
        log.Append("cas.put", "obj4", true);
        log.ReadHead()!.Seq.ShouldBe(5);
        AuditVerifier.Verify(log).Ok.ShouldBeTrue();
    }

    [Fact]
    public void Verify_AHeadBehindTheLog_StillPinsItsLine()
    {
        var log = NewLog();
        for (var i = 0; i < 3; i++) log.Append("cas.put", $"obj{i}", true);
        var earlier = File.ReadAllBytes(log.HeadPath);
        log.Append("cas.put", "obj3", true);
        File.WriteAllBytes(log.HeadPath, earlier);
        // Line 3 (the one the old head names) edited, and the chain after it recomputed: the head still catches it.
        var lines = File.ReadAllLines(log.Path);
        lines[2] = lines[2].Replace("obj2", "objZ");
        var oldPrev = AuditLog.TryParse(Encoding.UTF8.GetBytes(lines[3]))!.Prev;
        lines[3] = lines[3].Replace(oldPrev, AuditLog.HashLine(Encoding.UTF8.GetBytes(lines[2])));
        AuditLog.TryParse(Encoding.UTF8.GetBytes(lines[3]))!.Prev.ShouldNotBe(oldPrev);
        Tamper(log.Path, lines);
        var r = AuditVerifier.Verify(log);
        r.Ok.ShouldBeFalse();
        r.Problems.ShouldContain(p => p.Problem.Contains("head"));
    }

    [Fact]
    public void Append_FromManyThreadsAtOnce_KeepsEveryLineAndAnIntactChain()
    {
        var path = _dir.Combine("log", "audit.log");
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            new AuditLog(path, TimeProvider.System).Append("cas.put", $"obj{i}", true));
        var log = new AuditLog(path, TimeProvider.System);
        var r = AuditVerifier.Verify(log);
        r.Ok.ShouldBeTrue(string.Join("; ", r.Problems));
        r.Lines.ShouldBe(200);
        var resources = File.ReadAllLines(path).Select(l => AuditLog.TryParse(Encoding.UTF8.GetBytes(l))!.Resource).ToHashSet();
        resources.Count.ShouldBe(200);
    }
}
