using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Native;
using Volt.Core.Processes;
using Volt.Testing;
using Xunit;

namespace Volt.Core.Tests.Processes;

public sealed class ProcessLauncherTests
{
    [Fact]
    public async Task Capture_CollectsStdoutAndStderrSeparately_AndWaitReturnsTheExitCode()
    {
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        {
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Capture, Stderr = ProcessOutput.Capture,
        });
        (await p.WaitForExitAsync()).ShouldBe(3);
        p.StdOut.ShouldBe("out\n");
        p.StdErr.ShouldBe("err\n");
        p.HasExited.ShouldBeTrue();
    }

    [Fact]
    public async Task Lines_AreDeliveredInOrder_BeforeWaitReturns()
    {
        var lines = new List<string>();
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "printf 'a\\nb\\nlast without newline'"])
        {
            Stdout = ProcessOutput.Lines(l => { lock (lines) lines.Add(l); }),
        });
        await p.WaitForExitAsync();
        lines.ShouldBe(["a", "b", "last without newline"]);
    }

    [Fact]
    public async Task ToFile_AppendsOutputToTheFile()
    {
        using var dir = new TempDir();
        var log = dir.Write("out.log", "before\n");
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "echo one; echo two >&2"])
        {
            Stdout = ProcessOutput.ToFile(log), Stderr = ProcessOutput.Capture,
        });
        await p.WaitForExitAsync();
        File.ReadAllText(log).ShouldBe("before\none\n");
        p.StdErr.ShouldBe("two\n");
    }

    [Fact]
    public async Task EnvironmentAndWorkingDirectory_AreTheSpecs()
    {
        using var dir = new TempDir();
        Environment.SetEnvironmentVariable("VOLT_LAUNCHER_TEST_INHERITED", "yes");
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "echo \"$A|${VOLT_LAUNCHER_TEST_INHERITED:-none}|$(pwd)\""])
        {
            WorkingDirectory = dir.Path, Environment = new Dictionary<string, string?> { ["A"] = "1", ["VOLT_LAUNCHER_TEST_INHERITED"] = null },
            Stdout = ProcessOutput.Capture,
        });
        await p.WaitForExitAsync();
        p.StdOut.Trim().ShouldBe($"1|none|{dir.Path}");

        using var clean = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "echo \"${VOLT_LAUNCHER_TEST_INHERITED:-none}|$B\""])
        {
            ClearEnvironment = true, Environment = new Dictionary<string, string?> { ["B"] = "2" }, Stdout = ProcessOutput.Capture,
        });
        await clean.WaitForExitAsync();
        clean.StdOut.Trim().ShouldBe("none|2");
    }

    [Fact]
    public async Task PipeStdin_ReachesTheChild_ClosedStdinIsEndOfFile()
    {
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/cat", []) { Stdin = ProcessInput.Pipe, Stdout = ProcessOutput.Capture });
        await p.StandardInput.WriteAsync("hello\n");
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        p.StdOut.ShouldBe("hello\n");

        using var closed = ProcessLauncher.Start(new ProcessSpec("/bin/cat", []) { Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Capture });
        (await closed.WaitForExitAsync()).ShouldBe(0);
        closed.StdOut.ShouldBeEmpty();
    }

    [Fact]
    public async Task Signal_EndsTheProcess_AndTheExitSaysSo()
    {
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/sleep", ["600"]));
        p.Pid.ShouldBeGreaterThan(0);
        p.HasExited.ShouldBeFalse();
        p.Signal(Signals.SIGTERM).ShouldBeTrue();
        (await p.WaitForExitAsync()).ShouldBe(128 + Signals.SIGTERM);
        p.Signal(Signals.SIGTERM).ShouldBeFalse(); // reaped: gone
    }

    [Fact]
    public async Task SignalGroup_ReachesEveryProcessOfASetsidGroup()
    {
        // setsid makes sh the leader of its own group; the sleep it starts is in that group.
        using var p = ProcessLauncher.Start(new ProcessSpec("setsid", ["/bin/sh", "-c", "sleep 600 & echo $!; wait"])
        {
            Stdout = ProcessOutput.Lines(_ => { }),
        });
        var child = await FirstChildAsync(p.Pid);
        p.SignalGroup(Signals.SIGKILL).ShouldBeTrue();
        await p.WaitForExitAsync();
        await WaitGoneAsync(child);
    }

    [Fact]
    public async Task KillTree_KillsTheProcessAndItsDescendants()
    {
        using var p = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "sleep 600 & wait"]));
        var child = await FirstChildAsync(p.Pid);
        p.KillTree();
        await p.WaitForExitAsync();
        await WaitGoneAsync(child);
        p.KillTree(); // already gone: no error
    }

    [Fact]
    public void AMissingProgram_IsExit10NamingItAndTheHint()
    {
        var e = Should.Throw<VoltException>(() => ProcessLauncher.Start(new ProcessSpec("/nonexistent/volt-tool", []) { MissingHint = "package volt-tool" }));
        e.Code.ShouldBe(ExitCode.Dependency);
        e.Message.ShouldStartWith("Failed running /nonexistent/volt-tool: ");
        e.Message.ShouldEndWith("(package volt-tool)");
    }

    [Fact]
    public async Task Dispose_LeavesTheProcessRunning()
    {
        int pid;
        using (var p = ProcessLauncher.Start(new ProcessSpec("/bin/sleep", ["600"]))) pid = p.Pid;
        try { Volt.Core.IO.Posix.ProcessExists(pid).ShouldBeTrue(); }
        finally
        {
            LibC.kill(pid, Signals.SIGKILL);
            await WaitGoneAsync(pid);
        }
    }

    /// <summary>The first child of <paramref name="pid"/> once it has one (from /proc/PID/task/PID/children).</summary>
    private static async Task<int> FirstChildAsync(int pid)
    {
        var file = $"/proc/{pid}/task/{pid}/children";
        for (var i = 0; i < 2000; i++)
        {
            var text = File.Exists(file) ? File.ReadAllText(file).Trim() : "";
            if (text.Length > 0) return int.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(5);
        }
        throw new TimeoutException($"{pid} started no child");
    }

    /// <summary>Until <paramref name="pid"/> is gone or a zombie (its parent reaps it on its own time).</summary>
    private static async Task WaitGoneAsync(int pid)
    {
        for (var i = 0; File.Exists($"/proc/{pid}/stat") && !IsZombie(pid); i++)
        {
            if (i == 2000) throw new TimeoutException($"{pid} is still running");
            await Task.Delay(5);
        }
    }

    private static bool IsZombie(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }
}
