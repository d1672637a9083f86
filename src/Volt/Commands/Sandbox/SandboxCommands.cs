using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Core.Processes;
using Volt.Sandbox;
using Volt.Sandbox.Kernel;
using Volt.Sandbox.Planning;
using Volt.Sandbox.Policy;

namespace Volt.Commands.Sandbox;

internal static class SandboxCommands
{
    public static Command Group() => new GroupCommand("sandbox", "Landlock, seccomp and capabilities: run any host command sandboxed; what this kernel enforces",
        new SandboxRunCommand(), new SandboxCheckCommand())
    {
        Examples =
        [
            "volt sandbox check",
            "volt sandbox run --ro /usr --ro /lib --rw /tmp -- /usr/bin/ls /tmp",
            "volt sandbox run --rx /usr --rx /lib --ro /etc --connect-tcp 443 -- /usr/bin/curl https://example.org",
            "volt sandbox run --policy ./policy.json --seccomp strict -- ./untrusted-tool",
        ],
    };
}

internal sealed class SandboxRunCommand : VoltCommand, ITrailingCommand
{
    private static readonly Option<string[]> Ro = new Option<string[]>("--ro") { Description = "Readable path (fs_read; repeatable)", HelpName = "PATH" }.AcceptPath();
    private static readonly Option<string[]> Rx = new Option<string[]>("--rx") { Description = "Readable and executable path (fs_execute + fs_read; repeatable)", HelpName = "PATH" }.AcceptPath();
    private static readonly Option<string[]> Rw = new Option<string[]>("--rw") { Description = "Writable path (fs_write; repeatable)", HelpName = "PATH" }.AcceptPath();
    private static readonly Option<string[]> BindTcp = new("--bind-tcp") { Description = "TCP port it may bind (net_bind; repeatable)", HelpName = "PORT" };
    private static readonly Option<string[]> ConnectTcp = new("--connect-tcp") { Description = "TCP port it may connect to (net_connect; repeatable)", HelpName = "PORT" };
    private static readonly Option<string?> PolicyFile = new Option<string?>("--policy") { Description = "Landlock policy FILE (JSON); the path flags add to it", HelpName = "FILE" }.AcceptPath();
    private static readonly Argument<string[]> Cmd = new("COMMAND") { Description = "Command and arguments", Arity = ArgumentArity.OneOrMore };

    public SandboxRunCommand() : base("run", "Run a host command under Landlock, seccomp and no capabilities (default profile unless paths/ports are given)")
    {
        foreach (var o in new Option[] { Ro, Rx, Rw, BindTcp, ConnectTcp, PolicyFile }) Add(o);
        SandboxOptions.AddTo(this);
        Add(Cmd);
        Examples =
        [
            "volt sandbox run -- /usr/bin/id                       # the default profile: / read-only but /tmp /run /var, no capabilities",
            "volt sandbox run --rx / --rw /tmp/out -- sh -c 'echo hi > /tmp/out/x'",
            "volt sandbox run --rx /usr --rx /lib --rx /lib64 --bind-tcp 8080 -- /usr/bin/python3 -m http.server 8080",
            "volt sandbox run --sandbox strict --policy ./policy.json -- ./tool   # refuses (exit 10) what this kernel cannot enforce",
        ];
    }

    public int PositionalsBeforeCommand => 0;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var work = Path.Combine(ctx.Paths.Run, "sandbox", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            string? Landlock()
            {
                string[] ro = parse.GetValue(Ro) ?? [], rx = parse.GetValue(Rx) ?? [], rw = parse.GetValue(Rw) ?? [];
                string[] bind = parse.GetValue(BindTcp) ?? [], connect = parse.GetValue(ConnectTcp) ?? [];
                var file = parse.GetValue(PolicyFile);
                if (ro.Length + rx.Length + rw.Length + bind.Length + connect.Length == 0) return file ?? parse.GetValue(SandboxOptions.Landlock);
                if (parse.GetValue(SandboxOptions.Landlock) is not null) throw VoltException.Usage("--landlock cannot be combined with --ro/--rx/--rw/--bind-tcp/--connect-tcp (use --policy FILE)");
                var basis = file is null ? new LandlockPolicy() : LandlockProfiles.Resolve(Path.GetFullPath(file), ctx.Paths.Etc, null);
                IReadOnlyList<string> Abs(string[] xs) => [.. xs.Select(x => Path.GetFullPath(x))];
                IReadOnlyList<PortRule>? Ports(string[] xs, IReadOnlyList<PortRule>? had, string flag) => xs.Length == 0 ? had : [.. had ?? [], .. xs.Select(x =>
                    int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535 ? new PortRule(p, false)
                    : throw new VoltException(ExitCode.InvalidConfig, $"{flag} {x}: not a port (0-65535)"))];
                var policy = basis with
                {
                    FsRead = ro.Length + rx.Length + rw.Length == 0 ? basis.FsRead : [.. basis.FsRead ?? [], .. Abs(ro), .. Abs(rx)],
                    FsExecute = ro.Length + rx.Length + rw.Length == 0 ? basis.FsExecute : [.. basis.FsExecute ?? [], .. Abs(rx)],
                    FsWrite = ro.Length + rx.Length + rw.Length == 0 ? basis.FsWrite : [.. basis.FsWrite ?? [], .. Abs(rw)],
                    NetBind = Ports(bind, basis.NetBind, "--bind-tcp"),
                    NetConnect = Ports(connect, basis.NetConnect, "--connect-tcp"),
                };
                var path = Path.Combine(work, "policy.json");
                File.WriteAllText(path, policy.ToJson());
                return path;
            }
            var spec = SandboxOptions.Bind(o => o == SandboxOptions.Landlock ? Landlock() : o switch
            {
                Option<string?> s => parse.GetValue(s),
                Option<string[]> a => parse.GetValue(a),
                _ => null,
            }, ctx.Paths.Etc, p => File.Exists(p) || Directory.Exists(p));
            var command = parse.GetValue(Cmd)!;
            // The helper would execve and fail with 127: a command that is not there is exit 3 (ERR_NOT_FOUND), named.
            if (command.Length == 0 || !Runnable(command[0]))
                throw Core.Errors.VoltException.NotFound($"command \"{(command.Length == 0 ? "" : command[0])}\" not found (not a file, not on PATH)");
            IReadOnlyList<string> wrap = new SandboxRequest(spec, ctx.Paths.Etc, ctx.Paths.Lib).Wrap(work, SandboxKind.Host);
            if (wrap.Count == 0) wrap = [SandboxHelper.Ensure(ctx.Paths.Lib), WriteEmptyPlan(work)];
            var started = ProcessLauncher.Start(new ProcessSpec(wrap[0], [.. wrap.Skip(1), .. command]));
            try { await started.Process.WaitForExitAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                // SIGINT/SIGTERM to volt: pass it on, and exit with the command.
                Volt.Core.Native.LibC.kill(started.Process.Id, Volt.Core.Native.Signals.SIGTERM);
                await started.Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            return started.Process.ExitCode;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { /* best effort */ }
        }
    }

    /// <summary>An unconfined run still goes through the helper (same exec path; the bench's baseline).</summary>
    private static bool Runnable(string cmd) =>
        cmd.Contains('/') ? File.Exists(cmd)
        : cmd.Length > 0 && (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, cmd)));

    private static string WriteEmptyPlan(string dir)
    {
        var file = Path.Combine(dir, "empty.plan");
        File.WriteAllText(file, "volt-sandbox-plan 1\nend\n");
        return file;
    }
}

internal sealed class SandboxCheckCommand : VoltCommand
{
    public SandboxCheckCommand() : base("check", "What this kernel enforces: Landlock ABI and rights, seccomp, audit, the default profile here")
    {
        Examples = ["volt sandbox check", "volt sandbox check -o json | jq .dropped_by_default"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var abi = LandlockAbi.Probe();
        var container = SandboxPlanner.Plan(SandboxSpec.Default, new SandboxTarget(SandboxKind.Container, _ => true), abi, ctx.Paths.Etc);
        var service = SandboxPlanner.Plan(SandboxSpec.Default, SandboxTarget.Host(SandboxKind.Service), abi, ctx.Paths.Etc);
        var (enabled, pid, error) = await SandboxHelper.AuditStatusAsync(ctx.Paths.Lib, ctx.Processes, ct).ConfigureAwait(false);
        string actions;
        try { actions = File.ReadAllText("/proc/sys/kernel/seccomp/actions_avail").Trim(); }
        catch (IOException) { actions = "unknown"; }
        ctx.Out.Object(new JsonObject
        {
            ["landlock_abi"] = abi,
            ["landlock"] = abi == 0 ? "not available (kernel without CONFIG_SECURITY_LANDLOCK or lsm= without landlock)" : $"ABI {abi}",
            ["rights_enforced"] = new JsonArray([.. LandlockRights.All.Where(r => r.Abi <= Math.Min(abi, LandlockRights.KnownAbi)).Select(r => (JsonNode)r.Name)]),
            ["rights_not_enforced"] = new JsonArray([.. LandlockRights.All.Where(r => r.Abi > Math.Min(abi, LandlockRights.KnownAbi)).Select(r => (JsonNode)$"{r.Name} (needs ABI {r.Abi})")]),
            ["seccomp_arch"] = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "x86_64 (AUDIT_ARCH_X86_64; other architectures are killed)" : "unsupported",
            ["seccomp_actions"] = actions,
            ["denial_audit"] = error is not null ? $"unknown ({error})" : enabled == 0 ? "off: kernel audit is disabled (Landlock denials are not logged; volt logs --denials cannot show them)" : pid == 0 ? "on (no auditd: denials go to the kernel log)" : $"on (auditd pid {pid})",
            ["profiles"] = LandlockProfiles.Dir(ctx.Paths.Etc),
            ["default_container"] = container.Report.Summary(),
            ["default_service"] = service.Report.Summary(),
            ["default_notes"] = new JsonArray([.. container.Report.Notes.Concat(service.Report.Notes).Distinct().Select(n => (JsonNode)n)]),
        });
        return 0;
    }
}
