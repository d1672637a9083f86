using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Units.Tests.Services;

public sealed class ServiceUnitTests
{
    private const string Everything = """
        [Unit]
        Description=Web 100%% up
        Documentation=https://example.org/web man:systemd-nspawn(1)
        After=network.target
        After=db.service
        Before=shutdown.target
        Wants=db.service
        Requires=db.service
        Requisite=network.target
        PartOf=app.target

        [Service]
        Type=exec
        ExecStartPre=-/bin/mkdir -p /tmp/web
        ExecStartPre=/bin/true
        ExecStart=/usr/bin/python3 -m http.server --bind 127.0.0.1 "80 80" 'single q' a\x41\u00e9 100%% $$HOME
        ExecStop=/bin/kill -TERM $$MAINPID
        Restart=on-failure
        RestartSec=5min 20s
        TimeoutStartSec=infinity
        TimeoutStopSec=1.5s
        KillMode=process
        KillSignal=SIGINT
        Environment="GREETING=hello world" A=1
        Environment=A=2 EMPTY=
        EnvironmentFile=/etc/web.env
        EnvironmentFile=-/etc/web.local
        User=www-data
        Group=www-data
        WorkingDirectory=/tmp
        MemoryMax=256M
        CPUQuota=150%
        TasksMax=64
        Slice=machine.slice
        Delegate=yes
        StandardInput=null
        StandardOutput=append:/var/log/web.log
        StandardError=truncate:/var/log/web.err
        SuccessExitStatus=1 2 SIGUSR1

        [Install]
        WantedBy=multi-user.target
        """;

    private static ServiceUnit Service(string text, string name = "web.service") => ServiceUnit.From(UnitFile.Parse(text, name));

    private static UnitFileException Fails(string service) =>
        Should.Throw<UnitFileException>(() => Service("[Service]\n" + service));

    [Fact]
    public void EveryDirectiveOfTheSubset_IsReadIntoTheTypedView()
    {
        var s = Service(Everything);
        s.Name.ShouldBe("web.service");
        s.Description.ShouldBe("Web 100% up");
        s.Documentation.ShouldBe(["https://example.org/web", "man:systemd-nspawn(1)"]);
        s.After.ShouldBe(["network.target", "db.service"]);
        new[] { s.Before, s.Wants, s.Requires, s.Requisite, s.PartOf, s.WantedBy }.Select(l => string.Join(' ', l))
            .ShouldBe(["shutdown.target", "db.service", "db.service", "network.target", "app.target", "multi-user.target"]);
        s.Type.ShouldBe(ServiceType.Exec);
        s.ExecStartPre.ShouldBe([new UnitCommand("/bin/mkdir", ["-p", "/tmp/web"], true) with { }, new UnitCommand("/bin/true", [], false)], new CommandComparer());
        var start = s.ExecStart.ShouldHaveSingleItem();
        start.Path.ShouldBe("/usr/bin/python3");
        start.Args.ShouldBe(["-m", "http.server", "--bind", "127.0.0.1", "80 80", "single q", "aAé", "100%", "$HOME"]);
        start.IgnoreFailure.ShouldBeFalse();
        s.ExecStop.ShouldHaveSingleItem().Args.ShouldBe(["-TERM", "$MAINPID"]);
        (s.Restart, s.RestartSec, s.TimeoutStartSec, s.TimeoutStopSec).ShouldBe((UnitRestart.OnFailure, TimeSpan.FromSeconds(320), (TimeSpan?)null, TimeSpan.FromMilliseconds(1500)));
        (s.KillMode, s.KillSignal).ShouldBe((KillMode.Process, 2));
        s.Environment.ToList().ShouldBe([new("GREETING", "hello world"), new("A", "2"), new("EMPTY", "")]);
        s.EnvironmentFiles.ShouldBe([new UnitEnvironmentFile("/etc/web.env", false), new UnitEnvironmentFile("/etc/web.local", true)]);
        (s.User, s.Group, s.WorkingDirectory).ShouldBe(("www-data", "www-data", "/tmp"));
        (s.MemoryMax, s.CpuQuotaPercent, s.TasksMax, s.Slice, s.Delegate).ShouldBe((256L << 20, 150, 64, "machine.slice", true));
        s.StandardOutput.ShouldBe(new UnitOutput(OutputKind.Append, "/var/log/web.log"));
        s.StandardError.ShouldBe(new UnitOutput(OutputKind.Truncate, "/var/log/web.err"));
        s.SuccessExitStatus.ShouldBe([1, 2]);
        s.SuccessSignals.ShouldBe([10]);
        s.IsSuccess(2).ShouldBeTrue();
        s.IsSuccess(3).ShouldBeFalse();
    }

    [Fact]
    public void TheWholeSubset_IsAlsoValidForSystemd()
    {
        var r = SystemdVerify.Run(("web.service", Everything), ("app.target", "[Unit]\nDescription=app\n"), ("db.service", "[Service]\nExecStart=/bin/true\n"));
        r.Output.ShouldNotContain("Unknown key", Case.Insensitive);
        r.Output.ShouldNotContain("Failed to parse", Case.Insensitive);
        r.Output.ShouldNotContain("web.service:", customMessage: r.Output);
    }

    [Fact]
    public void Defaults_AreSystemds()
    {
        var s = Service("[Service]\nExecStart=/bin/sleep 1\n");
        (s.Type, s.Restart, s.RestartSec, s.TimeoutStartSec, s.TimeoutStopSec, s.KillMode, s.KillSignal)
            .ShouldBe((ServiceType.Simple, UnitRestart.No, TimeSpan.FromMilliseconds(100), (TimeSpan?)TimeSpan.FromSeconds(90), (TimeSpan?)TimeSpan.FromSeconds(90), KillMode.ControlGroup, 15));
        (s.StandardOutput.Kind, s.StandardError.Kind, s.MemoryMax, s.CpuQuotaPercent, s.TasksMax).ShouldBe((OutputKind.Journal, OutputKind.Inherit, (long?)null, (int?)null, (int?)null));
    }

    [Fact]
    public void AnEmptyAssignment_ResetsAList()
    {
        var s = Service("[Unit]\nAfter=a.target\nAfter=\nAfter=b.target\n[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\nEnvironment=A=1\nEnvironment=\n");
        s.After.ShouldBe(["b.target"]);
        s.ExecStart.ShouldHaveSingleItem().Path.ShouldBe("/bin/b");
        s.Environment.ShouldBeEmpty();
    }

    [Fact]
    public void OneshotMayHaveSeveralExecStart_SimpleMayNot()
    {
        Service("[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n").ExecStart.Count.ShouldBe(2);
        Fails("ExecStart=/bin/a\nExecStart=/bin/b\n").Message.ShouldBe("web.service:3:11: more than one ExecStart= is allowed for Type=oneshot only (this is Type=simple)");
    }

    [Theory]
    [InlineData("Type=notify\nExecStart=/bin/a\n", "web.service:2:6: Type=notify: voltd implements Type=simple, exec and oneshot")]
    [InlineData("ExecStart=/bin/a\nRestart=on-abort\n", "web.service:3:9: Restart=on-abort: voltd implements Restart=no, on-failure and always")]
    [InlineData("ExecStart=/bin/a\nKillMode=none\n", "web.service:3:10: KillMode=none: voltd implements KillMode=control-group, mixed and process")]
    [InlineData("ExecStart=/bin/a\nRestartSec=5 parsecs\n", "web.service:3:12: RestartSec=5 parsecs: invalid time span \"5 parsecs\": unknown unit")]
    [InlineData("ExecStart=/bin/a\nMemoryMax=50%\n", "web.service:3:11: MemoryMax=50%: unsupported size \"50%\": voltd takes bytes (256M), not a share of memory")]
    [InlineData("ExecStart=/bin/a\nMemoryMax=12Q\n", "web.service:3:11: MemoryMax=12Q: invalid size \"12Q\" (expected bytes like 512M, 2G or infinity)")]
    [InlineData("ExecStart=/bin/a\nCPUQuota=half\n", "web.service:3:10: CPUQuota=half: invalid percentage \"half\" (expected a whole number like 50%)")]
    [InlineData("ExecStart=/bin/a\nTasksMax=0\n", "web.service:3:10: TasksMax=0: invalid count \"0\" (expected a positive number or infinity)")]
    [InlineData("ExecStart=/bin/a\nEnvironment=1A=b\n", "web.service:3:13: Environment=1A=b: \"1A=b\" is not a NAME=VALUE assignment")]
    [InlineData("ExecStart=/bin/a\nEnvironmentFile=web.env\n", "web.service:3:17: EnvironmentFile=web.env: \"web.env\" is not an absolute path")]
    [InlineData("ExecStart=/bin/a\nWorkingDirectory=~\n", "web.service:3:18: WorkingDirectory=~: \"~\" is not an absolute path")]
    [InlineData("ExecStart=/bin/a\nUser=bad user\n", "web.service:3:6: User=bad user: \"bad user\" is not a valid user or group name")]
    [InlineData("ExecStart=/bin/a\nDelegate=maybe\n", "web.service:3:10: Delegate=maybe: invalid boolean \"maybe\" (expected yes or no)")]
    [InlineData("ExecStart=/bin/a\nStandardOutput=kmsg\n", "web.service:3:16: StandardOutput=kmsg: voltd implements inherit, null, journal, append:PATH and truncate:PATH")]
    [InlineData("ExecStart=/bin/a\nStandardInput=tty\n", "web.service:3:15: StandardInput=tty: voltd implements StandardInput=null only")]
    [InlineData("ExecStart=/bin/a\nSuccessExitStatus=256\n", "web.service:3:19: SuccessExitStatus=256: exit status 256 is above 255")]
    [InlineData("ExecStart=/bin/a\nKillSignal=SIGFOO\n", "web.service:3:12: KillSignal=SIGFOO: invalid signal \"SIGFOO\" (voltd implements: SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT, SIGSTOP, SIGWINCH or a number)")]
    [InlineData("ExecStart=/bin/a\nSlice=machine\n", "web.service:3:7: Slice=machine: \"machine\" is not a slice name")]
    [InlineData("ExecStart=+/bin/a\n", "web.service:2:11: ExecStart=+/bin/a: unsupported command prefix '+' (voltd implements: '-')")]
    [InlineData("ExecStart=bin/a\n", "web.service:2:11: ExecStart=bin/a: \"bin/a\" is neither a valid executable name nor an absolute path")]
    [InlineData("ExecStart=/bin/echo $HOME\n", "web.service:2:11: ExecStart=/bin/echo $HOME: unsupported environment variable expansion in \"$HOME\" (write $$ for a literal $)")]
    [InlineData("ExecStart=/bin/echo %n\n", "web.service:2:11: ExecStart=/bin/echo %n: unsupported specifier %n (voltd implements: %% for a literal %)")]
    [InlineData("ExecStart=/bin/echo \"open\n", "web.service:2:11: ExecStart=/bin/echo \"open: unterminated double quote")]
    [InlineData("ExecStart=/bin/echo \\q\n", "web.service:2:11: ExecStart=/bin/echo \\q: invalid escape \\q")]
    [InlineData("ExecStart=/bin/a ; /bin/b\n", "web.service:2:11: ExecStart=/bin/a ; /bin/b: unsupported ';' separating commands (write one directive per command, or \\; for a literal ;)")]
    [InlineData("Type=oneshot\nExecStart=/bin/a\nRestart=always\n", "web.service:4:9: Restart=always is not allowed for Type=oneshot")]
    [InlineData("Restart=always\n", "web.service:1:1: [Service] has no ExecStart=")]
    public void InvalidValues_PointAtTheValue(string service, string message) => Fails(service).Message.ShouldBe(message);

    [Fact]
    public void MissingServiceSection_IsAnError()
    {
        Should.Throw<UnitFileException>(() => Service("[Unit]\nDescription=x\n")).Message.ShouldBe("web.service:1:1: no [Service] section");
    }

    private sealed class CommandComparer : IEqualityComparer<UnitCommand>
    {
        public bool Equals(UnitCommand? a, UnitCommand? b) => a!.Path == b!.Path && a.Args.SequenceEqual(b.Args) && a.IgnoreFailure == b.IgnoreFailure;
        public int GetHashCode(UnitCommand c) => c.Path.GetHashCode(StringComparison.Ordinal);
    }
}
