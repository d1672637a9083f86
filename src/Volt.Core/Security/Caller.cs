using System.Globalization;
using Volt.Core.IO;

namespace Volt.Core.Security;

/// <summary>
/// Who asks: a uid, its primary and supplementary groups, and the process (for polkit). For the CLI it is this
/// process; for voltd it is the peer of the socket (SO_PEERCRED), with the groups read from <c>/proc/PID/status</c>
/// at the moment of the request (what the process really holds, <c>newgrp</c> and <c>sg</c> included).
/// </summary>
public sealed record Caller(uint Uid, uint Gid, IReadOnlyList<uint> Groups, int Pid, string User)
{
    public bool IsRoot => Uid == 0;

    public bool InGroup(uint gid) => Gid == gid || Groups.Contains(gid);

    /// <summary>This process (effective uid; groups from <c>/proc/self/status</c>).</summary>
    public static Caller Current()
    {
        var pid = Environment.ProcessId;
        var (gid, groups) = ReadGroups(pid) ?? (0u, []);
        var uid = Posix.EffectiveUid;
        return new Caller(uid, gid, groups, pid, UserDb.NameOf(uid));
    }

    /// <summary>
    /// The peer of a unix socket, from its kernel-checked credentials. Null when its groups cannot be read (the process
    /// has exited, or <c>/proc</c> hides it): such a peer is denied, never guessed.
    /// </summary>
    public static Caller? FromPeer(int pid, uint uid, uint gid, string procRoot = "/proc")
    {
        if (pid <= 0) return null;
        // The gid is the kernel's (SO_PEERCRED); only the supplementary list comes from /proc.
        if (ReadGroups(pid, procRoot) is not var (_, groups)) return null;
        return new Caller(uid, gid, groups, pid, UserDb.NameOf(uid));
    }

    /// <summary>The <c>Gid:</c> (real) and <c>Groups:</c> lines of <c>/proc/PID/status</c>.</summary>
    internal static (uint Gid, IReadOnlyList<uint> Groups)? ReadGroups(int pid, string procRoot = "/proc")
    {
        string text;
        try { text = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "status")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        uint? gid = null;
        List<uint>? groups = null;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("Gid:")) gid = FirstNumber(line[4..]);
            else if (line.StartsWith("Groups:"))
            {
                groups = [];
                foreach (var part in line[7..].ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    if (uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var g)) groups.Add(g);
            }
        }
        return gid is { } found && groups is not null ? (found, groups) : null;
    }

    private static uint? FirstNumber(ReadOnlySpan<char> s)
    {
        s = s.TrimStart();
        var end = s.IndexOfAny(' ', '\t');
        return uint.TryParse(end < 0 ? s : s[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
