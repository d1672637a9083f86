using Shouldly;
using Volt.Testing;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

/// <summary>
/// The seed's privilege levels against a real voltd (the volt binary, as root) and real unprivileged users made for the
/// test: one in group volt, one outside it. They run the real CLI (setpriv drops to their uid and groups).
/// </summary>
[Collection(PrivilegedUsers.Name)]
public sealed class PrivilegeLevelsTests : IClassFixture<PrivilegeLevelsTests.RealVoltd>
{
    /// <summary>voltd started as root by the real binary on a root readable by the test users, with one container running.</summary>
    public sealed class RealVoltd : IAsyncLifetime
    {
        public TempDir Dir { get; } = new();
        public string Bin => Path.Combine(Dir.Path, "bin", "volt");
        public string Root => Path.Combine(Dir.Path, "root");
        public string Rootfs => Path.Combine(Dir.Path, "rootfs");
        public string Socket => Path.Combine(Root, "var", "run", "volt", "volt.sock");
        private VoltdProcess? _voltd;

        public async ValueTask InitializeAsync()
        {
            TestEnv.RequireRoot("creates users and runs voltd as root");
            foreach (var t in new[] { "setpriv", "useradd", "userdel", "curl" }) TestEnv.RequireTool(t);
            // The users reach the binary and the root through /tmp only: copies of what they need, world-traversable.
            Directory.CreateDirectory(Path.GetDirectoryName(Bin)!);
            File.Copy(VoltBinary.Path, Bin);
            BusyboxRootfs.Create(Rootfs);
            Directory.CreateDirectory(Root);
            foreach (var d in new[] { Dir.Path, Path.GetDirectoryName(Bin)!, Root })
                File.SetUnixFileMode(d, (UnixFileMode)Convert.ToInt32("755", 8));
            _voltd = new VoltdProcess(Bin, Root, Path.Combine(Dir.Path, "voltd.log"));
            await _voltd.StartAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_voltd is not null) await _voltd.DisposeAsync();
            Dir.Dispose();
        }
    }

    private readonly PrivilegedUsers users;
    private readonly RealVoltd _d;

    public PrivilegeLevelsTests(PrivilegedUsers users, RealVoltd d)
    {
        this.users = users;
        _d = d;
    }

    private (int Code, string Out, string Err) As(string user, params string[] args) =>
        TestEnv.Run("setpriv", ["--reuid=" + user, "--regid=" + user, "--init-groups", "--", _d.Bin, .. args],
            new Dictionary<string, string> { ["VOLT_ROOT"] = _d.Root, ["VOLT_COLOR"] = "never", ["HOME"] = "/tmp" }, null);

    [Fact]
    public void Socket_IsRootVolt0660()
    {
        var mode = File.GetUnixFileMode(_d.Socket);
        mode.ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        var (_, stat, _) = TestEnv.Run("stat", "-c", "%U:%G", _d.Socket);
        stat.Trim().ShouldBe("root:volt");
    }

    [Fact]
    public void VoltMember_RunsContainerThroughVoltd_AndIsAuditedUnderItsOwnUid()
    {
        var name = "priv-" + Guid.NewGuid().ToString("n")[..6];
        var run = As(users.Member, "run", "-d", "--network", "none", "--name", name, _d.Rootfs, "sleep", "300");
        run.Code.ShouldBe(0, run.Err);
        var stop = As(users.Member, "stop", name);
        stop.Code.ShouldBe(0, stop.Err);
        var audit = File.ReadAllLines(Path.Combine(_d.Root, "var", "log", "volt", "audit.log"));
        audit.ShouldContain(l => l.Contains("\"action\":\"container.run\"") && l.Contains($"\"resource\":\"{name}\"")
            && l.Contains($"\"uid\":{users.MemberUid},") && l.Contains($"\"user\":\"{users.Member}\"") && l.Contains("\"result\":\"success\""));
        audit.Count(l => l.Contains("\"action\":\"container.run\"") && l.Contains($"\"resource\":\"{name}\"")).ShouldBe(1);
        VoltBinary.Run(_d.Root, "rm", "-f", name).Code.ShouldBe(0);
    }

    [Fact]
    public void A_start_through_voltd_and_a_foreground_run_each_write_one_audit_line_carrying_the_sandbox_summary()
    {
        // voltd records the summary of the sandbox it planned: the CLI neither plans it again nor appends a second line.
        var detached = "aud-" + Guid.NewGuid().ToString("n")[..6];
        var fg = "aud-" + Guid.NewGuid().ToString("n")[..6];
        var run = VoltBinary.Run(_d.Root, "run", "-d", "--network", "none", "--name", detached, _d.Rootfs, "sleep", "300");
        run.Code.ShouldBe(0, run.Err);
        VoltBinary.Run(_d.Root, "stop", "-t", "0", detached).Code.ShouldBe(0);
        var start = VoltBinary.Run(_d.Root, "start", detached);
        start.Code.ShouldBe(0, start.Err);
        var rm = VoltBinary.Run(_d.Root, "run", "--rm", "--network", "none", "--name", fg, _d.Rootfs, "true");
        rm.Code.ShouldBe(0, rm.Err);
        VoltBinary.Run(_d.Root, "rm", "-f", detached).Code.ShouldBe(0);
        var audit = File.ReadAllLines(Path.Combine(_d.Root, "var", "log", "volt", "audit.log"));
        foreach (var (action, name) in new[] { ("container.run", detached), ("container.start", detached), ("container.run", fg) })
        {
            var lines = audit.Where(l => l.Contains($"\"action\":\"{action}\"") && l.Contains($"\"resource\":\"{name}\"")).ToList();
            lines.Count.ShouldBe(1, $"{action} {name}:\n" + string.Join('\n', lines));
            lines[0].ShouldContain("\"detail\":\"sandbox ", customMessage: $"{action} {name}: {lines[0]}");
            lines[0].ShouldContain("\"result\":\"success\"");
        }
    }

    [Fact]
    public void VoltMember_IsDeniedNetworkChanges_WithExit5NamingTheRule()
    {
        var r = As(users.Member, "net", "create", "--name", "privnet", "--subnet", "10.213.0.0/24");
        r.Code.ShouldBe(5, r.Err);
        r.Err.ShouldContain("network and firewall changes needs root");
        Directory.Exists(Path.Combine(_d.Root, "var", "lib", "volt", "networks")).ShouldBeFalse();
    }

    [Fact]
    public void VoltMember_IsDeniedServicesByVoltdItself()
    {
        // Straight to the socket, past the CLI's own check: voltd decides from SO_PEERCRED.
        var r = TestEnv.Run("setpriv", ["--reuid=" + users.Member, "--regid=" + users.Member, "--init-groups", "--",
            "curl", "-s", "--unix-socket", _d.Socket, "-X", "POST", "http://voltd/v1/workloads/service/web/start"], null, null);
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldContain("\"code\":5");
        r.Out.ShouldContain("needs root");
        File.ReadAllText(Path.Combine(_d.Root, "var", "log", "volt", "audit.log"))
            .ShouldContain($"\"uid\":{users.MemberUid},\"action\":\"service.start\",\"resource\":\"web\",\"result\":\"failure\"");
    }

    [Fact]
    public void Outsider_IsDeniedContainers_WithExit5NamingTheGroup()
    {
        var r = As(users.Outsider, "run", "-d", "--network", "none", "--name", "nope", _d.Rootfs, "sleep", "1");
        r.Code.ShouldBe(5, r.Err);
        r.Err.ShouldContain("group volt");
        var ps = VoltBinary.Run(_d.Root, "ps", "-o", "json");
        ps.Code.ShouldBe(0, ps.Err);
        ps.Out.ShouldNotContain("\"nope\"");
    }

    [Fact]
    public void Outsider_ReadsPsAndConfigShow()
    {
        var ps = As(users.Outsider, "ps");
        ps.Code.ShouldBe(0, ps.Err);
        ps.Out.ShouldContain("NAME");
        var config = As(users.Outsider, "config", "show");
        config.Code.ShouldBe(0, config.Err);
    }

    [Fact]
    public void Outsider_CannotReadWorkloadLogs_MemberCan()
    {
        var name = "logs-" + Guid.NewGuid().ToString("n")[..6];
        VoltBinary.Run(_d.Root, "run", "-d", "--network", "none", "--name", name, _d.Rootfs, "sh", "-c", "echo hello-from-log; sleep 300").Code.ShouldBe(0);
        try
        {
            var member = As(users.Member, "logs", name);
            member.Code.ShouldBe(0, member.Err);
            var outsider = As(users.Outsider, "logs", name);
            outsider.Code.ShouldBe(5, outsider.Err);
            outsider.Err.ShouldContain("group volt");
        }
        finally { VoltBinary.Run(_d.Root, "rm", "-f", name); }
    }

    [Fact]
    public void Outsider_CannotReadAContainersEnvValues_InItsRecordsUnitInspectOrProcessList()
    {
        var name = "env-" + Guid.NewGuid().ToString("n")[..6];
        var secret = "hunter2-" + Guid.NewGuid().ToString("n");
        var run = VoltBinary.Run(_d.Root, "run", "-d", "--network", "none", "--name", name, "-e", "API_TOKEN=" + secret, "-e", "QUOTED=it's \"a\" $x",
            _d.Rootfs, "sh", "-c", "echo \"token=$API_TOKEN quoted=$QUOTED\"; sleep 300");
        run.Code.ShouldBe(0, run.Err);
        try
        {
            // The payload got both values exactly (nspawn read them from the 0600 settings file).
            var log = Path.Combine(_d.Root, "var", "log", "volt", "workloads", name + ".log");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(File.Exists(log) && File.ReadAllText(log).Contains("token=")) && DateTime.UtcNow < deadline) Thread.Sleep(100);
            File.ReadAllText(log).ShouldContain($"token={secret} quoted=it's \"a\" $x", customMessage: "the container's log never showed its environment");
            var dir = Path.Combine(_d.Root, "var", "lib", "volt", "containers", name);
            File.GetUnixFileMode(Path.Combine(dir, name + ".nspawn")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.ReadAllText(Path.Combine(dir, "config.json")).ShouldNotContain(secret);
            VoltBinary.Run(_d.Root, "inspect", name, "-o", "json").Out.ShouldContain(secret); // root sees it

            // Everything an outsider can read: Volt's state and units, inspect, every process's command line.
            var files = As(users.Outsider, "inspect", name, "-o", "json");
            files.Code.ShouldBe(0, files.Err);
            files.Out.ShouldContain($"\"{name}\"");
            files.Out.ShouldNotContain(secret);
            // The pattern from a file (outside the root): on grep's own command line it would be found in /proc.
            var pattern = Path.Combine(_d.Dir.Path, name + ".pattern");
            File.WriteAllText(pattern, secret + "\n");
            var grep = TestEnv.Run("setpriv", ["--reuid=" + users.Outsider, "--regid=" + users.Outsider, "--init-groups", "--",
                "sh", "-c", "grep -rlsF -f \"$0\" \"$1\"; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -cF -f \"$0\"", pattern, _d.Root], null, null);
            grep.Out.Trim().ShouldBe("0", $"an outsider read the secret: {grep.Out}");
        }
        finally { VoltBinary.Run(_d.Root, "rm", "-f", name); }
    }
}

/// <summary>Two real users for the test run: one in group volt, one outside it; removed afterwards (and the group, if the test made it).</summary>
public sealed class PrivilegedUsers : IDisposable
{
    public const string Name = "privileged users";
    private readonly bool _madeGroup;
    public string Member { get; } = "vtm" + Guid.NewGuid().ToString("n")[..8];
    public string Outsider { get; } = "vto" + Guid.NewGuid().ToString("n")[..8];
    public uint MemberUid { get; }

    public PrivilegedUsers()
    {
        if (!TestEnv.IsRoot || !TestEnv.HasTool("useradd")) return;
        if (TestEnv.Run("getent", "group", "volt").Code != 0)
        {
            TestEnv.Run("groupadd", "--system", "volt").Code.ShouldBe(0);
            _madeGroup = true;
        }
        TestEnv.Run("useradd", "-M", "-U", "-G", "volt", "-s", "/bin/sh", Member).Code.ShouldBe(0);
        TestEnv.Run("useradd", "-M", "-U", "-s", "/bin/sh", Outsider).Code.ShouldBe(0);
        MemberUid = uint.Parse(TestEnv.Run("id", "-u", Member).Out.Trim());
    }

    public void Dispose()
    {
        if (MemberUid == 0) return;
        TestEnv.Run("userdel", Member);
        TestEnv.Run("userdel", Outsider);
        if (_madeGroup) TestEnv.Run("groupdel", "volt");
    }
}

[CollectionDefinition(PrivilegedUsers.Name)]
public sealed class PrivilegedUsersCollection : ICollectionFixture<PrivilegedUsers>;
