using Shouldly;
using Volt.Core.Errors;
using Volt.Testing;
using Volt.Workloads.Logs;
using Volt.Workloads.Runtime;
using Xunit;

namespace Volt.Workloads.Tests.Logs;

/// <summary>The stamped log file format, the reader's window/tail/follow, and the journalctl mapping.</summary>
public sealed class LogReaderTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new("logs");

    public void Dispose() => _dir.Dispose();

    private string File3()
    {
        var lines = Enumerable.Range(0, 3).Select(i => $"{LogLine.Stamp(T0.AddMinutes(i * 10))} line {i}\n");
        return _dir.Write("w.log", string.Concat(lines));
    }

    private static async Task<string> Read(string file, LogQuery q, Func<bool>? running = null, CancellationToken ct = default)
    {
        var sb = new System.Text.StringBuilder();
        await new LogFileReader(TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(10) }
            .ReadAsync(file, q, running ?? (() => false), t => { lock (sb) sb.Append(t); return Task.CompletedTask; }, ct);
        return sb.ToString();
    }

    [Fact]
    public void A_stamped_line_parses_back_to_its_time_and_text()
    {
        var t = T0.AddTicks(1234560);
        var l = LogLine.Parse(LogLine.Stamp(t) + " hello world");
        l.Time.ShouldBe(t);
        l.Text.ShouldBe("hello world");
        LogLine.Stamp(t).ShouldBe("2026-12-01T10:00:00.123456Z");
        LogLine.Parse("plain output").ShouldBe(new LogLine(null, "plain output"));
        LogLine.Parse(LogLine.Stamp(t)).Text.ShouldBe("");
    }

    [Fact]
    public async Task Tail_since_until_and_timestamps_select_and_show_lines()
    {
        var f = File3();
        (await Read(f, new LogQuery())).ShouldBe("line 0\nline 1\nline 2\n");
        (await Read(f, new LogQuery(Tail: 2))).ShouldBe("line 1\nline 2\n");
        (await Read(f, new LogQuery(Tail: 0))).ShouldBe("");
        (await Read(f, new LogQuery(Since: T0.AddMinutes(5)))).ShouldBe("line 1\nline 2\n");
        (await Read(f, new LogQuery(Until: T0.AddMinutes(10)))).ShouldBe("line 0\nline 1\n");
        (await Read(f, new LogQuery(Tail: 1, Until: T0.AddMinutes(15)))).ShouldBe("line 1\n");
        (await Read(f, new LogQuery(Since: T0.AddMinutes(20), Timestamps: true))).ShouldBe("2026-12-01T10:20:00.000000Z line 2\n");
    }

    [Fact]
    public async Task Unstamped_lines_are_shown_and_take_the_time_of_the_line_before()
    {
        var f = _dir.Write("old.log", "before\n" + LogLine.Stamp(T0) + " a\ncontinued\n");
        (await Read(f, new LogQuery())).ShouldBe("before\na\ncontinued\n");
        (await Read(f, new LogQuery(Since: T0))).ShouldBe("a\ncontinued\n");
    }

    [Fact]
    public async Task Follow_prints_lines_as_they_are_appended_and_ends_when_the_workload_stops()
    {
        var f = File3();
        var running = true;
        var seen = new System.Text.StringBuilder();
        var gotNew = new TaskCompletionSource();
        var follow = new LogFileReader(TimeProvider.System) { PollInterval = TimeSpan.FromMilliseconds(10) }.ReadAsync(f, new LogQuery(Tail: 1, Follow: true), () => running, t =>
        {
            lock (seen) { seen.Append(t); if (seen.ToString().Contains("line 4")) gotNew.TrySetResult(); }
            return Task.CompletedTask;
        }, CancellationToken.None);
        await using (var w = new StreamWriter(new FileStream(f, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true })
        {
            await w.WriteAsync($"{LogLine.Stamp(T0.AddHours(1))} line 3\n{LogLine.Stamp(T0.AddHours(1))} line ");
            await w.WriteAsync("4\n");
            await gotNew.Task.WaitAsync(TimeSpan.FromSeconds(30));
            follow.IsCompleted.ShouldBeFalse("still following while the workload runs");
            await w.WriteAsync($"{LogLine.Stamp(T0.AddHours(2))} last words");
        }
        running = false;
        await follow.WaitAsync(TimeSpan.FromSeconds(30));
        seen.ToString().ShouldBe("line 2\nline 3\nline 4\nlast words\n");
    }

    [Fact]
    public async Task Follow_ends_on_cancel()
    {
        var f = File3();
        using var cts = new CancellationTokenSource();
        var follow = Read(f, new LogQuery(Follow: true), () => true, cts.Token);
        cts.Cancel();
        (await follow.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe("line 0\nline 1\nline 2\n");
    }

    [Fact]
    public void Since_and_until_take_durations_rfc3339_and_unix_seconds()
    {
        var now = T0.AddHours(1);
        LogTime.Parse("10m", now, "--since").ShouldBe(now.AddMinutes(-10));
        LogTime.Parse("1h30m", now, "--since").ShouldBe(now.AddMinutes(-90));
        LogTime.Parse("2026-12-01T10:00:00Z", now, "--since").ShouldBe(T0);
        LogTime.Parse("2026-12-01T11:00:00+01:00", now, "--since").ShouldBe(T0);
        LogTime.Parse("1796119200", now, "--since").ShouldBe(T0);
        Should.Throw<VoltException>(() => LogTime.Parse("yesterday", now, "--until")).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void The_journal_gets_the_same_query_as_journalctl_flags()
    {
        JournalQuery.Args("volt-container@web.service", new LogQuery())
            .ShouldBe(["-u", "volt-container@web.service", "--no-pager", "-o", "cat"]);
        JournalQuery.Args("volt-container@web.service", new LogQuery(Tail: 20, Since: T0, Until: T0.AddSeconds(90.5), Timestamps: true, Follow: true))
            .ShouldBe(["-u", "volt-container@web.service", "--no-pager", "-o", "short-iso", "-n", "20", "--since", "@1796119200", "--until", "@1796119291", "-f"]);
    }

    [Fact]
    public void Exec_user_resolves_names_and_numbers_in_the_containers_files()
    {
        _dir.Write("root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1001:web:/home/web:/bin/sh\n");
        _dir.Write("root/etc/group", "root:x:0:\nstaff:x:50:\n");
        var root = _dir.Combine("root");
        ExecUser.Resolve("web", root).ShouldBe(new ExecUser(1000, 1001, "/home/web"));
        ExecUser.Resolve("1000", root).ShouldBe(new ExecUser(1000, 1001, "/home/web"));
        ExecUser.Resolve("web:staff", root).ShouldBe(new ExecUser(1000, 50, "/home/web"));
        ExecUser.Resolve("4242:7", root).ShouldBe(new ExecUser(4242, 7, "/"));
        Should.Throw<VoltException>(() => ExecUser.Resolve("nobody", root)).Code.ShouldBe(ExitCode.NotFound);
        Should.Throw<VoltException>(() => ExecUser.Resolve("web:wheel", root)).Code.ShouldBe(ExitCode.NotFound);
        Should.Throw<VoltException>(() => ExecUser.Resolve(":1", root)).Code.ShouldBe(ExitCode.Usage);
    }
}
