using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using Volt.Core.Errors;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Runtime;

/// <summary>
/// <c>--user</c> without nspawn's <c>--user=</c>, which resolves every name (numbers too) by running <c>getent</c>
/// inside the container and fails on images without one ("Failed to resolve user 1234"). Here a numeric
/// <c>uid[:gid]</c> needs no passwd entry (gid 0 when there is none, as in podman), and names are looked up in the
/// image's own <c>/etc/passwd</c> and <c>/etc/group</c>. The switch itself is a tiny static x86-64 program Volt
/// writes (raw syscalls, no libc): <c>setgroups</c>, <c>setresgid</c>, <c>setresuid</c>, then <c>execve</c> of the
/// command, exiting 127/126 when that fails as a shell would. nspawn binds it read-only into the container's /run.
/// </summary>
public sealed record UserSwitch(uint Uid, uint Gid, IReadOnlyList<uint> Groups, string Home)
{
    /// <summary>Where the helper appears inside the container (nspawn's /run is a fresh tmpfs: nothing lands in the image).</summary>
    public const string ContainerPath = "/run/.volt-user";

    /// <summary>False for root (nspawn's default: nothing to switch).</summary>
    public static bool Needed(string? user) => !(string.IsNullOrEmpty(user) || user is "root" or "0" or "0:0" or "root:root");

    /// <summary>Null for root (nspawn's default: nothing to switch).</summary>
    public static UserSwitch? Resolve(string? user, string rootfs)
    {
        if (!Needed(user)) return null;
        var parts = user!.Split(':', 2);
        var passwd = Table(rootfs, "/etc/passwd");
        string[]? entry = uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? passwd.FirstOrDefault(p => p.Length > 3 && p[2] == parts[0])
            : passwd.FirstOrDefault(p => p.Length > 3 && p[0] == parts[0])
              ?? throw VoltException.NotFound($"user \"{parts[0]}\" not found in the image's /etc/passwd (a numeric uid[:gid] needs no entry)");
        var uid = entry is null ? n : uint.Parse(entry[2], CultureInfo.InvariantCulture);
        uint gid = entry is not null && uint.TryParse(entry[3], CultureInfo.InvariantCulture, out var g0) ? g0 : 0;
        var groupTable = Table(rootfs, "/etc/group");
        if (parts.Length == 2)
        {
            gid = uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g
                : groupTable.FirstOrDefault(x => x.Length > 2 && x[0] == parts[1]) is { } grp && uint.TryParse(grp[2], CultureInfo.InvariantCulture, out var gg) ? gg
                : throw VoltException.NotFound($"group \"{parts[1]}\" not found in the image's /etc/group");
        }
        // Supplementary groups: the ones /etc/group lists the user's name in (none for a uid without an entry).
        var groups = entry is null ? [] : groupTable
            .Where(x => x.Length > 3 && x[3].Split(',').Contains(entry[0]) && uint.TryParse(x[2], CultureInfo.InvariantCulture, out _))
            .Select(x => uint.Parse(x[2], CultureInfo.InvariantCulture)).Where(x => x != gid).Distinct().ToList();
        return new UserSwitch(uid, gid, [gid, .. groups], entry is { Length: > 5 } && entry[5].Length > 0 ? entry[5] : "/");
    }

    /// <summary>Writes the helper for this user to <paramref name="file"/> (mode 0755).</summary>
    public void WriteHelper(string file)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            throw new VoltException(ExitCode.Dependency, $"--user other than root needs an x86-64 host here (this is {RuntimeInformation.ProcessArchitecture})");
        var tmp = file + ".tmp";
        File.WriteAllBytes(tmp, Elf());
        File.SetUnixFileMode(tmp, (UnixFileMode)0x1ED /* 0755 */);
        File.Move(tmp, file, overwrite: true);
    }

    private static List<string[]> Table(string rootfs, string path)
    {
        var host = RootfsCheck.Resolve(rootfs, path);
        try { return host is null ? [] : [.. File.ReadAllLines(host).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(':'))]; }
        catch (IOException) { return []; }
    }

    private const ulong Base = 0x400000;

    /// <summary>The helper: an ELF header, one PT_LOAD segment, the code and the group list.</summary>
    internal byte[] Elf()
    {
        var code = new List<byte>();
        void Emit(params byte[] b) => code.AddRange(b);
        void Imm(byte op, uint v) { code.Add(op); code.AddRange(BitConverter.GetBytes(v)); }
        var fails = new List<int>();
        void Check() { Emit(0x48, 0x85, 0xC0, 0x0F, 0x88); fails.Add(code.Count); Emit(0, 0, 0, 0); } // test rax,rax; js fail

        Imm(0xB8, 116); Imm(0xBF, (uint)Groups.Count);                   // setgroups(n, groups)
        Emit(0x48, 0x8D, 0x35); var groupsRel = code.Count; Emit(0, 0, 0, 0); // lea rsi, [rip+groups]
        Emit(0x0F, 0x05); Check();
        Imm(0xB8, 119); Imm(0xBF, Gid); Imm(0xBE, Gid); Imm(0xBA, Gid); Emit(0x0F, 0x05); Check(); // setresgid
        Imm(0xB8, 117); Imm(0xBF, Uid); Imm(0xBE, Uid); Imm(0xBA, Uid); Emit(0x0F, 0x05); Check(); // setresuid
        Emit(0x48, 0x8B, 0x7C, 0x24, 0x10);        // mov rdi, [rsp+16]      argv[1]
        Emit(0x48, 0x8D, 0x74, 0x24, 0x10);        // lea rsi, [rsp+16]      &argv[1]
        Emit(0x48, 0x8B, 0x0C, 0x24);              // mov rcx, [rsp]         argc
        Emit(0x48, 0x8D, 0x54, 0xCC, 0x10);        // lea rdx, [rsp+rcx*8+16] envp
        Imm(0xB8, 59); Emit(0x0F, 0x05);           // execve; only returns on failure (rax = -errno)
        Imm(0xBF, 126);                            // mov edi, 126
        Emit(0x48, 0x83, 0xF8, 0xFE, 0x75, 0x05);  // cmp rax, -ENOENT; jne +5
        Imm(0xBF, 127);                            // mov edi, 127
        Imm(0xB8, 60); Emit(0x0F, 0x05);           // exit(edi)
        var fail = code.Count;
        Imm(0xBF, 125); Imm(0xB8, 60); Emit(0x0F, 0x05); // exit(125): could not switch
        var groups = code.Count;
        foreach (var g in Groups) code.AddRange(BitConverter.GetBytes(g));

        Span<byte> rel = stackalloc byte[4];
        foreach (var at in fails) { BinaryPrimitives.WriteInt32LittleEndian(rel, fail - (at + 4)); for (var i = 0; i < 4; i++) code[at + i] = rel[i]; }
        BinaryPrimitives.WriteInt32LittleEndian(rel, groups - (groupsRel + 4));
        for (var i = 0; i < 4; i++) code[groupsRel + i] = rel[i];

        const int headers = 64 + 56;
        var size = (ulong)(headers + code.Count);
        var elf = new byte[headers];
        var s = elf.AsSpan();
        s[0] = 0x7F; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F'; s[4] = 2; s[5] = 1; s[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2);        // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 0x3E);     // x86-64
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], Base + headers); // entry
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], 64);       // phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[52..], 64);       // ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[54..], 56);       // phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[56..], 1);        // phnum
        var ph = s[64..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);             // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 5);        // R+X
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], Base);    // vaddr
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], Base);    // paddr
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], size);    // filesz
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], size);    // memsz
        BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);  // align
        return [.. elf, .. code];
    }
}
