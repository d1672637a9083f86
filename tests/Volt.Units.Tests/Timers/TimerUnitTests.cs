using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Units.Tests.Timers;

public sealed class TimerUnitTests
{
    private static readonly DateTimeOffset Boot = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 30, 0, TimeSpan.Zero);

    private static TimerUnit Timer(string timer, string name = "backup.timer") => TimerUnit.From(UnitFile.Parse("[Timer]\n" + timer, name));

    private const string Everything = """
        [Unit]
        Description=Nightly backup
        [Timer]
        OnCalendar=*-*-* 02:00:00
        OnCalendar=Sat 12:00
        OnBootSec=5min
        OnActiveSec=10s
        OnUnitActiveSec=1h
        OnUnitInactiveSec=30min
        Persistent=true
        RandomizedDelaySec=90s
        AccuracySec=1s
        Unit=backup-run.service
        [Install]
        WantedBy=timers.target
        """;

    [Fact]
    public void EveryDirectiveOfTheSubset_IsReadIntoTheTypedView()
    {
        var t = TimerUnit.From(UnitFile.Parse(Everything, "backup.timer"));
        t.OnCalendar.Select(c => c.Normalized).ShouldBe(["*-*-* 02:00:00", "Sat *-*-* 12:00:00"]);
        (t.OnBootSec, t.OnActiveSec, t.OnUnitActiveSec, t.OnUnitInactiveSec).ShouldBe((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), TimeSpan.FromMinutes(30)));
        (t.Persistent, t.RandomizedDelaySec, t.AccuracySec, t.Unit, t.Description).ShouldBe((true, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(1), "backup-run.service", "Nightly backup"));
        t.WantedBy.ShouldBe(["timers.target"]);
    }

    [Fact]
    public void TheWholeSubset_IsAlsoValidForSystemd()
    {
        SystemdVerify.AssertClean(("backup.timer", Everything), ("backup-run.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n"));
    }

    [Fact]
    public void Unit_DefaultsToTheServiceOfTheSameName() => Timer("OnCalendar=daily\n").Unit.ShouldBe("backup.service");

    [Theory]
    [InlineData("OnCalendar=Mon..Fry 09:00\n", "backup.timer:2:12: OnCalendar=Mon..Fry 09:00: Failed to parse calendar specification 'Mon..Fry 09:00': Invalid argument")]
    [InlineData("OnBootSec=1min\nOnBootSec=2min\n", "backup.timer:3:11: OnBootSec= given more than once (voltd implements one OnBootSec=)")]
    [InlineData("OnActiveSec=infinity\n", "backup.timer:2:13: OnActiveSec=infinity: infinity is not allowed here")]
    [InlineData("OnCalendar=daily\nPersistent=sometimes\n", "backup.timer:3:12: Persistent=sometimes: invalid boolean \"sometimes\" (expected yes or no)")]
    [InlineData("OnCalendar=daily\nUnit=backup.target\n", "backup.timer:3:6: Unit=backup.target: \"backup.target\" is not a .service unit name")]
    [InlineData("AccuracySec=1s\n", "backup.timer:1:1: [Timer] has no OnCalendar=, OnBootSec=, OnActiveSec=, OnUnitActiveSec= or OnUnitInactiveSec=")]
    [InlineData("OnCalendar=daily\nWakeSystem=yes\n", "backup.timer:3:1: unsupported directive WakeSystem= in [Timer] (voltd implements: OnCalendar=, OnBootSec=, OnActiveSec=, OnUnitActiveSec=, OnUnitInactiveSec=, Persistent=, RandomizedDelaySec=, AccuracySec=, Unit=)")]
    public void InvalidTimers_PointAtTheDirective(string timer, string message) =>
        Should.Throw<UnitFileException>(() => Timer(timer)).Message.ShouldBe(message);

    [Fact]
    public void Calendar_FirstElapseIsAfterTheTimerWasActivated()
    {
        var t = Timer("OnCalendar=*:0/15\n");
        t.NextElapse(new TimerState(Now, Boot, TimerActivated: Now)).ShouldBe(Now.AddMinutes(15));
    }

    [Fact]
    public void Calendar_AfterATrigger_NextIsTheFollowingElapse()
    {
        var t = Timer("OnCalendar=*:0/15\n");
        var fired = Now.AddMinutes(15);
        t.NextElapse(new TimerState(fired.AddSeconds(2), Boot, fired, TimerActivated: Now)).ShouldBe(Now.AddMinutes(30));
    }

    [Fact]
    public void Persistent_CatchesUpOneMissedRun_ThenFollowsTheCalendar()
    {
        var t = Timer("OnCalendar=daily\nPersistent=true\n");
        var lastRun = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero); // three midnights missed while down
        t.NextElapse(new TimerState(Now, Boot, lastRun, TimerActivated: Now)).ShouldBe(Now);
        t.NextElapse(new TimerState(Now.AddSeconds(1), Boot, Now, TimerActivated: Now)).ShouldBe(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void NotPersistent_ForgetsATriggerFromBeforeActivation_SoNothingIsCaughtUp()
    {
        var t = Timer("OnCalendar=daily\n");
        var lastRun = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        t.NextElapse(new TimerState(Now, Boot, lastRun, TimerActivated: Now)).ShouldBe(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void OnBootSec_FiresOnceAfterBoot_AndIsDoneOnceTriggered()
    {
        var t = Timer("OnBootSec=5min\n");
        t.NextElapse(new TimerState(Boot.AddMinutes(1), Boot, TimerActivated: Boot)).ShouldBe(Boot.AddMinutes(5));
        t.NextElapse(new TimerState(Now, Boot, TimerActivated: Boot)).ShouldBe(Now, "a boot timer not yet fired fires at once when its time has passed");
        t.NextElapse(new TimerState(Now, Boot, Boot.AddMinutes(5), TimerActivated: Boot)).ShouldBeNull();
    }

    [Fact]
    public void OnActiveSec_CountsFromTheTimersActivation()
    {
        var t = Timer("OnActiveSec=10s\n");
        t.NextElapse(new TimerState(Now, Boot, TimerActivated: Now)).ShouldBe(Now.AddSeconds(10));
    }

    [Fact]
    public void OnUnitActiveSec_WaitsForTheUnitOrATrigger()
    {
        var t = Timer("OnUnitActiveSec=1h\n");
        t.NextElapse(Now, null, Boot, null).ShouldBeNull();
        t.NextElapse(Now, null, Boot, Now.AddMinutes(-10)).ShouldBe(Now.AddMinutes(50));
        t.NextElapse(Now, Now.AddMinutes(-5), Boot, Now.AddMinutes(-10)).ShouldBe(Now.AddMinutes(55), "the later of activation and trigger");
    }

    [Fact]
    public void OnUnitInactiveSec_CountsFromTheUnitsLastDeactivation()
    {
        var t = Timer("OnUnitInactiveSec=30s\n");
        t.NextElapse(new TimerState(Now, Boot, LastUnitDeactivation: Now.AddSeconds(-10))).ShouldBe(Now.AddSeconds(20));
    }

    [Fact]
    public void SeveralTriggers_TheEarliestWins()
    {
        var t = Timer("OnCalendar=daily\nOnActiveSec=2h\n");
        t.NextElapse(new TimerState(Now, Boot, TimerActivated: Now)).ShouldBe(Now.AddHours(2));
    }

    [Fact]
    public void RandomizedDelay_IsBelowTheLimit_AndDeterministicWithASeed()
    {
        var t = Timer("OnCalendar=*:0/15\nRandomizedDelaySec=10min\n");
        var state = new TimerState(Now, Boot, TimerActivated: Now);
        var a = t.NextElapse(state, new Random(7))!.Value;
        t.NextElapse(state, new Random(7)).ShouldBe(a);
        a.ShouldBeGreaterThanOrEqualTo(Now.AddMinutes(15));
        a.ShouldBeLessThan(Now.AddMinutes(25));
        Enumerable.Range(0, 20).Select(i => t.NextElapse(state, new Random(i))).Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public void ACalendarThatNeverElapsesAgain_GivesNull() =>
        Timer("OnCalendar=2020-01-01\n").NextElapse(new TimerState(Now, Boot, TimerActivated: Now)).ShouldBeNull();
}

public sealed class SocketUnitTests
{
    private const string VoltSocket = "[Unit]\nDescription=Volt API socket\n\n[Socket]\nListenStream=/run/volt/volt.sock\nSocketMode=0660\nSocketUser=root\nSocketGroup=volt\n\n[Install]\nWantedBy=sockets.target\n";

    [Fact]
    public void EveryDirectiveOfTheSubset_IsReadIntoTheTypedView()
    {
        var s = SocketUnit.From(UnitFile.Parse(VoltSocket, "volt.socket"));
        s.ListenStream.ShouldBe(["/run/volt/volt.sock"]);
        (s.SocketMode, s.SocketUser, s.SocketGroup, s.Description).ShouldBe((Convert.ToInt32("660", 8), "root", "volt", "Volt API socket"));
        s.WantedBy.ShouldBe(["sockets.target"]);
    }

    [Fact]
    public void TheWholeSubset_IsAlsoValidForSystemd() =>
        SystemdVerify.AssertClean(("volt.socket", VoltSocket), ("volt.service", "[Service]\nExecStart=/bin/true\n"));

    [Theory]
    [InlineData("ListenStream=run/volt.sock\n", "v.socket:2:14: ListenStream=run/volt.sock: \"run/volt.sock\" is neither an absolute socket path nor a port")]
    [InlineData("ListenStream=/run/v.sock\nSocketMode=rw\n", "v.socket:3:12: SocketMode=rw: invalid mode \"rw\" (expected octal like 0660)")]
    [InlineData("SocketUser=root\n", "v.socket:1:1: [Socket] has no ListenStream=")]
    public void InvalidSockets_PointAtTheDirective(string socket, string message) =>
        Should.Throw<UnitFileException>(() => SocketUnit.From(UnitFile.Parse("[Socket]\n" + socket, "v.socket"))).Message.ShouldBe(message);
}
