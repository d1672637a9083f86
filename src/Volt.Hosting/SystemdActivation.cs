using System.Globalization;
using Volt.Core.IO;
using Volt.Core.Native;

namespace Volt.Hosting;

/// <summary>
/// Sockets handed over by systemd's socket activation, with sd_listen_fds(3)'s semantics: <c>LISTEN_PID</c> must be
/// this process (else the variables were meant for another and are ignored), <c>LISTEN_FDS</c> is how many descriptors
/// start at 3 (SD_LISTEN_FDS_START). The variables (and <c>LISTEN_FDNAMES</c>) are removed from the environment, so the
/// processes this one starts never take the sockets for theirs, and each descriptor is marked close-on-exec so they
/// do not inherit it either.
/// </summary>
public static class SystemdActivation
{
    public const int ListenFdsStart = 3;
    private const int F_SETFD = 2, FD_CLOEXEC = 1;

    /// <summary>The inherited listening descriptors (empty when this process was not socket-activated).</summary>
    public static IReadOnlyList<int> ListenFds() =>
        ListenFds(Environment.GetEnvironmentVariable("LISTEN_PID"), Environment.GetEnvironmentVariable("LISTEN_FDS"), Environment.ProcessId, unset: true);

    /// <summary>The parsing rules on their own (for tests): null/garbage/another PID → none.</summary>
    public static IReadOnlyList<int> ListenFds(string? listenPid, string? listenFds, int pid, bool unset = false)
    {
        if (unset)
            foreach (var v in (string[])["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]) Environment.SetEnvironmentVariable(v, null);
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p != pid) return [];
        if (!int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 1024) return [];
        var fds = Enumerable.Range(ListenFdsStart, n).ToList();
        if (unset) foreach (var fd in fds) LibC.fcntl(fd, F_SETFD, FD_CLOEXEC);
        return fds;
    }

    /// <summary>True when <paramref name="fd"/> is a socket (sd_is_socket(3)'s first check).</summary>
    public static bool IsSocket(int fd)
    {
        try { return FileStat.Stat($"/proc/self/fd/{fd}").Kind == FileKind.Socket; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
