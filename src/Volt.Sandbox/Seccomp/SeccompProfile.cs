using System.Text.Json;
using Volt.Core.Errors;

namespace Volt.Sandbox.Seccomp;

public enum SeccompAction { Allow, Errno, Kill, Log }

public sealed record SyscallRule(string Name, int Number, SeccompAction Action, int Errno);

/// <summary>Socket kinds Landlock cannot cover (or not on this ABI) that a filter denies with EACCES.</summary>
[Flags]
public enum SocketDenials
{
    None = 0,
    /// <summary>UDP and ICMP datagram sockets (AF_INET/AF_INET6 SOCK_DGRAM): Landlock restricts UDP from ABI 10 only.</summary>
    InetDatagram = 1,
    /// <summary>Raw IP sockets (ping, packet crafting) and AF_PACKET: no Landlock ABI covers them.</summary>
    Raw = 2,
    /// <summary>AF_UNIX sockets: Landlock restricts connects to pathname sockets from ABI 9 only.</summary>
    Unix = 4,
}

/// <summary>
/// A seccomp profile: a default action and per-syscall actions (x86-64 numbers), plus the socket denials and the
/// namespace-creating <c>clone</c> flags it blocks. Compiled to BPF by <see cref="Compile"/>; the filter first kills a
/// foreign-architecture call (no i386/x32 side door around a deny list).
/// </summary>
public sealed record SeccompProfile
{
    public required string Name { get; init; }
    public SeccompAction Default { get; init; } = SeccompAction.Allow;
    public int DefaultErrno { get; init; } = 1;
    public IReadOnlyList<SyscallRule> Rules { get; init; } = [];
    public SocketDenials Sockets { get; init; }
    /// <summary>Deny clone() with CLONE_NEW* flags and make clone3 ENOSYS (libc falls back to clone).</summary>
    public bool DenyNewNamespaces { get; init; }

    private const int EPERM = 1, EACCES = 13, ENOSYS = 38;

    /// <summary>The action a call of <paramref name="name"/> gets (ignoring argument filters).</summary>
    public SeccompAction ActionFor(string name) => Rules.LastOrDefault(r => r.Name == name)?.Action ?? Default;

    public int Denied => Default == SeccompAction.Allow ? Rules.Count(r => r.Action is SeccompAction.Errno or SeccompAction.Kill) : SyscallTable.X64.Count - Rules.Count(r => r.Action == SeccompAction.Allow);

    public SeccompProfile WithSockets(SocketDenials extra) => this with { Sockets = Sockets | extra };

    public byte[] Compile()
    {
        var b = new Bpf();
        var archOk = b.NewLabel();
        b.Load(Bpf.Arch).Jump(Bpf.Jeq, Bpf.AuditArchX86_64, archOk, null).Return(Bpf.RetKillProcess).Label(archOk);
        b.Load(Bpf.Nr);
        var native = b.NewLabel();
        b.Jump(Bpf.Jge, 0x40000000, null, native).Return(Bpf.RetErrno | EPERM).Label(native); // x32 ABI
        if (Sockets != SocketDenials.None)
        {
            var done = b.NewLabel();
            b.Jump(Bpf.Jeq, (uint)SyscallTable.X64["socket"], null, done);
            b.Load(Bpf.ArgLow(0));
            if (Sockets.HasFlag(SocketDenials.Raw)) b.ReturnIf(17 /* AF_PACKET */, Bpf.RetErrno | EACCES);
            if (Sockets.HasFlag(SocketDenials.Unix)) b.ReturnIf(1 /* AF_UNIX */, Bpf.RetErrno | EACCES);
            var inet = b.NewLabel();
            b.Jump(Bpf.Jeq, 2 /* AF_INET */, inet, null).Jump(Bpf.Jeq, 10 /* AF_INET6 */, inet, done).Label(inet);
            b.Load(Bpf.ArgLow(1)).And(0xF);
            if (Sockets.HasFlag(SocketDenials.InetDatagram)) b.ReturnIf(2 /* SOCK_DGRAM */, Bpf.RetErrno | EACCES);
            if (Sockets.HasFlag(SocketDenials.Raw)) b.ReturnIf(3 /* SOCK_RAW */, Bpf.RetErrno | EACCES);
            b.Label(done).Load(Bpf.Nr);
        }
        if (DenyNewNamespaces)
        {
            var done = b.NewLabel();
            var deny = b.NewLabel();
            b.ReturnIf((uint)SyscallTable.X64["clone3"], Bpf.RetErrno | ENOSYS);
            b.Jump(Bpf.Jeq, (uint)SyscallTable.X64["clone"], null, done);
            b.Load(Bpf.ArgLow(0)).Jump(Bpf.Jset, 0x7E020080 /* CLONE_NEW* */, deny, null).Load(Bpf.Nr).Jump(Bpf.Jeq, (uint)SyscallTable.X64["clone"], done, done);
            b.Label(deny).Return(Bpf.RetErrno | EPERM);
            b.Label(done).Load(Bpf.Nr);
        }
        foreach (var r in Rules.Where(r => r.Action != Default || r.Action == SeccompAction.Errno && r.Errno != DefaultErrno))
            b.ReturnIf((uint)r.Number, Ret(r.Action, r.Errno));
        b.Return(Ret(Default, DefaultErrno));
        return b.Build();
    }

    private static uint Ret(SeccompAction a, int errno) => a switch
    {
        SeccompAction.Allow => Bpf.RetAllow,
        SeccompAction.Log => Bpf.RetLog,
        SeccompAction.Kill => Bpf.RetKillProcess,
        _ => Bpf.RetErrno | (uint)(errno & 0xFFFF),
    };

    /// <summary>
    /// A profile FILE in Docker's/OCI's JSON (<c>defaultAction</c>, <c>defaultErrnoRet</c>, <c>syscalls[]</c> with
    /// <c>names</c>, <c>action</c>, <c>errnoRet</c>); <c>architectures</c> and <c>comment</c> are accepted, argument
    /// conditions are not. Every problem at once, exit 12; a profile that blocks <c>execve</c> is refused (Volt's
    /// helper needs it to start the command: the workload would "exit right after starting" otherwise).
    /// </summary>
    public static SeccompProfile ParseFile(string file)
    {
        string text;
        try { text = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new VoltException(ExitCode.InvalidConfig, $"seccomp profile {file}: cannot read it: {e.Message}"); }
        return Parse(text, file);
    }

    public static SeccompProfile Parse(string json, string source)
    {
        var errors = new List<string>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"seccomp profile {source}: not valid JSON: {e.Message}"); }
        var def = SeccompAction.Allow;
        var defErrno = EPERM;
        var rules = new List<SyscallRule>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new VoltException(ExitCode.InvalidConfig, $"seccomp profile {source}: must be a JSON object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "defaultAction": def = Action(p.Value, "defaultAction", errors); break;
                    case "defaultErrnoRet": defErrno = p.Value.TryGetInt32(out var de) ? de : Bad(errors, "defaultErrnoRet must be a number"); break;
                    case "architectures" or "archMap" or "comment" or "flags": break;
                    case "syscalls":
                        if (p.Value.ValueKind != JsonValueKind.Array) { errors.Add("syscalls must be a list"); break; }
                        var i = 0;
                        foreach (var s in p.Value.EnumerateArray()) Syscalls(s, $"syscalls[{i++}]", rules, errors);
                        break;
                    default: errors.Add($"unknown key \"{p.Name}\""); break;
                }
            }
        }
        var profile = new SeccompProfile { Name = source, Default = def, DefaultErrno = defErrno, Rules = rules };
        foreach (var exec in new[] { "execve" })
            if (profile.ActionFor(exec) is not (SeccompAction.Allow or SeccompAction.Log))
                errors.Add($"it blocks {exec}, which Volt's sandbox helper needs to start the command (allow \"{exec}\")");
        if (errors.Count > 0) throw new VoltException(ExitCode.InvalidConfig, $"seccomp profile {source}: {string.Join("; ", errors)}");
        return profile;
    }

    private static int Bad(List<string> errors, string message) { errors.Add(message); return EPERM; }

    private static void Syscalls(JsonElement s, string at, List<SyscallRule> rules, List<string> errors)
    {
        if (s.ValueKind != JsonValueKind.Object) { errors.Add($"{at} must be an object"); return; }
        var names = new List<string>();
        var action = SeccompAction.Errno;
        var errno = EPERM;
        var hasAction = false;
        foreach (var p in s.EnumerateObject())
        {
            switch (p.Name)
            {
                case "names" when p.Value.ValueKind == JsonValueKind.Array:
                    foreach (var n in p.Value.EnumerateArray()) if (n.ValueKind == JsonValueKind.String) names.Add(n.GetString()!); else errors.Add($"{at}.names must be strings");
                    break;
                case "name" when p.Value.ValueKind == JsonValueKind.String: names.Add(p.Value.GetString()!); break;
                case "action": action = Action(p.Value, at + ".action", errors); hasAction = true; break;
                case "errnoRet": errno = p.Value.TryGetInt32(out var e) ? e : Bad(errors, $"{at}.errnoRet must be a number"); break;
                case "args": if (p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > 0) errors.Add($"{at}.args: argument conditions are not supported"); break;
                case "comment" or "includes" or "excludes": break;
                default: errors.Add($"{at}: unknown key \"{p.Name}\""); break;
            }
        }
        if (!hasAction) errors.Add($"{at} has no action");
        foreach (var n in names)
        {
            if (SyscallTable.X64.TryGetValue(n, out var nr)) rules.Add(new SyscallRule(n, nr, action, errno));
            else errors.Add($"{at}: unknown syscall \"{n}\"");
        }
    }

    private static SeccompAction Action(JsonElement e, string at, List<string> errors)
    {
        switch (e.ValueKind == JsonValueKind.String ? e.GetString() : null)
        {
            case "SCMP_ACT_ALLOW": return SeccompAction.Allow;
            case "SCMP_ACT_ERRNO": return SeccompAction.Errno;
            case "SCMP_ACT_KILL" or "SCMP_ACT_KILL_PROCESS" or "SCMP_ACT_KILL_THREAD": return SeccompAction.Kill;
            case "SCMP_ACT_LOG": return SeccompAction.Log;
            default:
                errors.Add($"{at} {e.GetRawText()} is not one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_LOG");
                return SeccompAction.Errno;
        }
    }
}
