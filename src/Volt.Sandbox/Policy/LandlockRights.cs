namespace Volt.Sandbox.Policy;

/// <summary>One Landlock access right: its name in reports, its bit, and the first ABI that enforces it.</summary>
public sealed record LandlockRight(string Name, ulong Bit, int Abi, LandlockRightKind Kind);

public enum LandlockRightKind { Fs, Net, Scope }

/// <summary>
/// The kernel's <c>LANDLOCK_ACCESS_FS_*</c>, <c>LANDLOCK_ACCESS_NET_*</c> and <c>LANDLOCK_SCOPE_*</c> rights with the
/// ABI that introduced each (landlock(7)). UDP port rights (<c>net.bind_udp</c>, <c>net.connect_udp</c>) are not in
/// any ABI this code knows: they are listed with ABI 10 (the anchor), never sent to the kernel, and exist so
/// a policy asking for them is reported honestly ("needs ABI 10") instead of silently ignored.
/// </summary>
public static class LandlockRights
{
    public const ulong Execute = 1 << 0, WriteFile = 1 << 1, ReadFile = 1 << 2, ReadDir = 1 << 3, RemoveDir = 1 << 4,
        RemoveFile = 1 << 5, MakeChar = 1 << 6, MakeDir = 1 << 7, MakeReg = 1 << 8, MakeSock = 1 << 9, MakeFifo = 1 << 10,
        MakeBlock = 1 << 11, MakeSym = 1 << 12, Refer = 1 << 13, Truncate = 1 << 14, IoctlDev = 1 << 15;

    public const ulong BindTcp = 1 << 0, ConnectTcp = 1 << 1;
    /// <summary>Placeholders (never sent to a kernel): see the class remarks.</summary>
    public const ulong BindUdp = 1 << 8, ConnectUdp = 1 << 9;

    /// <summary><c>LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON</c> (ABI 7): log denials of the exec'd payload too.</summary>
    public const ulong LogNewExecOn = 1 << 1;

    /// <summary>Rights a rule on a file (not a directory) may carry.</summary>
    public const ulong FileRights = Execute | WriteFile | ReadFile | Truncate | IoctlDev;

    /// <summary>The highest ABI this code knows the kernel constants of.</summary>
    public const int KnownAbi = 7;
    /// <summary>Landlock ABI that restricts UDP (the number; not in any released kernel this code knows).</summary>
    public const int UdpAbi = 10;
    /// <summary>Landlock ABI that restricts connects to pathname unix sockets (the number).</summary>
    public const int UnixAbi = 9;

    public static readonly IReadOnlyList<LandlockRight> All =
    [
        new("fs.execute", Execute, 1, LandlockRightKind.Fs), new("fs.write_file", WriteFile, 1, LandlockRightKind.Fs),
        new("fs.read_file", ReadFile, 1, LandlockRightKind.Fs), new("fs.read_dir", ReadDir, 1, LandlockRightKind.Fs),
        new("fs.remove_dir", RemoveDir, 1, LandlockRightKind.Fs), new("fs.remove_file", RemoveFile, 1, LandlockRightKind.Fs),
        new("fs.make_char", MakeChar, 1, LandlockRightKind.Fs), new("fs.make_dir", MakeDir, 1, LandlockRightKind.Fs),
        new("fs.make_reg", MakeReg, 1, LandlockRightKind.Fs), new("fs.make_sock", MakeSock, 1, LandlockRightKind.Fs),
        new("fs.make_fifo", MakeFifo, 1, LandlockRightKind.Fs), new("fs.make_block", MakeBlock, 1, LandlockRightKind.Fs),
        new("fs.make_sym", MakeSym, 1, LandlockRightKind.Fs), new("fs.refer", Refer, 2, LandlockRightKind.Fs),
        new("fs.truncate", Truncate, 3, LandlockRightKind.Fs), new("fs.ioctl_dev", IoctlDev, 5, LandlockRightKind.Fs),
        new("net.bind_tcp", BindTcp, 4, LandlockRightKind.Net), new("net.connect_tcp", ConnectTcp, 4, LandlockRightKind.Net),
        new("net.bind_udp", BindUdp, UdpAbi, LandlockRightKind.Net), new("net.connect_udp", ConnectUdp, UdpAbi, LandlockRightKind.Net),
    ];

    /// <summary>The fs rights an ABI handles.</summary>
    public static ulong FsMask(int abi) => All.Where(r => r.Kind == LandlockRightKind.Fs && r.Abi <= abi).Aggregate(0UL, (m, r) => m | r.Bit);

    /// <summary>The net rights an ABI handles (UDP never: see the class remarks).</summary>
    public static ulong NetMask(int abi) => All.Where(r => r.Kind == LandlockRightKind.Net && r.Abi <= Math.Min(abi, KnownAbi)).Aggregate(0UL, (m, r) => m | r.Bit);

    /// <summary><c>fs_read</c>: read files, list directories.</summary>
    public const ulong Read = ReadFile | ReadDir;
    /// <summary><c>fs_execute</c>: execute, and read the file (a loader maps what it runs).</summary>
    public const ulong Exec = Execute | ReadFile;
    /// <summary><c>fs_write</c>: read, and every change beneath (create, remove, rename, truncate, device ioctls).</summary>
    public const ulong Write = Read | WriteFile | RemoveDir | RemoveFile | MakeChar | MakeDir | MakeReg | MakeSock | MakeFifo
        | MakeBlock | MakeSym | Refer | Truncate | IoctlDev;

    public static IEnumerable<string> Names(ulong mask, LandlockRightKind kind) =>
        All.Where(r => r.Kind == kind && (mask & r.Bit) != 0).Select(r => r.Name);
}
