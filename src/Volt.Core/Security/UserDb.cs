using System.Globalization;

namespace Volt.Core.Security;

/// <summary>
/// Names of users and groups from the host's <c>/etc/passwd</c> and <c>/etc/group</c> (files only: the groups Volt
/// checks, <c>volt</c> and <c>kvm</c>, are local system groups that <c>groupadd --system</c> writes there).
/// </summary>
public static class UserDb
{
    /// <summary>The group's gid, or null when the host has no such group.</summary>
    public static uint? GroupId(string name) => GroupId(name, "/etc");

    /// <summary><see cref="GroupId(string)"/> from another directory's <c>group</c> file (tests).</summary>
    public static uint? GroupId(string name, string etc)
    {
        foreach (var fields in Entries(etc, "group"))
            if (fields.Length >= 3 && fields[0] == name && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                return gid;
        return null;
    }

    /// <summary>The user's name, or the uid as text when <c>/etc/passwd</c> does not know it.</summary>
    public static string NameOf(uint uid) => NameOf(uid, "/etc");

    /// <summary><see cref="NameOf(uint)"/> from another directory's <c>passwd</c> file (tests).</summary>
    public static string NameOf(uint uid, string etc)
    {
        var text = uid.ToString(CultureInfo.InvariantCulture);
        foreach (var fields in Entries(etc, "passwd"))
            if (fields.Length >= 3 && fields[2] == text) return fields[0];
        return text;
    }

    private static IEnumerable<string[]> Entries(string etc, string file)
    {
        string[] lines;
        try { lines = File.ReadAllLines(Path.Combine(etc, file)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var line in lines)
            if (line.Length > 0 && line[0] != '#') yield return line.Split(':');
    }
}
