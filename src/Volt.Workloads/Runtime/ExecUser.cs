using System.Globalization;
using Volt.Core.Errors;

namespace Volt.Workloads.Runtime;

/// <summary><c>exec -u</c>: NAME, UID, NAME:GROUP or UID:GID resolved against the container's passwd and group files.</summary>
public sealed record ExecUser(int Uid, int Gid, string Home)
{
    /// <param name="spec">What the user typed.</param>
    /// <param name="root">The container's root as seen from here (<c>/proc/PID/root</c>).</param>
    public static ExecUser Resolve(string spec, string root)
    {
        var (userPart, groupPart) = spec.IndexOf(':') is var i and >= 0 ? (spec[..i], spec[(i + 1)..]) : (spec, null);
        if (userPart.Length == 0 || groupPart is { Length: 0 }) throw VoltException.Usage($"invalid --user \"{spec}\": expected NAME, UID, NAME:GROUP or UID:GID");
        var passwd = Read(Path.Combine(root, "etc/passwd"));
        string[]? entry = int.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            ? passwd.FirstOrDefault(f => f.Length > 5 && f[2] == userPart)
            : passwd.FirstOrDefault(f => f.Length > 5 && f[0] == userPart)
              ?? throw VoltException.NotFound($"user \"{userPart}\" not found in the container's /etc/passwd");
        if (entry is not null) uid = Number(entry[2], spec);
        var gid = entry is not null ? Number(entry[3], spec) : 0;
        if (groupPart is not null)
        {
            if (!int.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                var group = Read(Path.Combine(root, "etc/group")).FirstOrDefault(f => f.Length > 2 && f[0] == groupPart)
                    ?? throw VoltException.NotFound($"group \"{groupPart}\" not found in the container's /etc/group");
                gid = Number(group[2], spec);
            }
        }
        var home = entry is { Length: > 5 } && entry[5].Length > 0 ? entry[5] : "/";
        return new ExecUser(uid, gid, home);
    }

    private static int Number(string s, string spec) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new VoltException(ExitCode.InvalidConfig, $"--user \"{spec}\": the container's passwd/group entry has a bad number \"{s}\"");

    private static List<string[]> Read(string file)
    {
        try { return [.. File.ReadLines(file).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(':'))]; }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return []; }
    }
}
