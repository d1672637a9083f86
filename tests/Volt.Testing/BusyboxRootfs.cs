namespace Volt.Testing;

/// <summary>
/// A real rootfs of a few files (shared by the workload and mesh suites): Debian's busybox-static with applet symlinks, passwd/group and mount points (nspawn wants
/// a /usr to call it an OS tree).
/// </summary>
public static class BusyboxRootfs
{
    private static readonly string[] Applets = ["sh", "echo", "sleep", "httpd", "cat", "true", "false", "ls", "id", "head", "dd", "trap", "kill", "env", "hostname", "ping", "nc"];

    public static string Create(string dir)
    {
        TestEnv.Require(File.Exists("/bin/busybox"), "busybox-static is not installed (scripts/apt-packages.txt)");
        foreach (var d in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root", "run", "var", "usr/bin" }) Directory.CreateDirectory(Path.Combine(dir, d));
        File.Copy("/bin/busybox", Path.Combine(dir, "bin", "busybox"), overwrite: true);
        foreach (var a in Applets)
        {
            var link = Path.Combine(dir, "bin", a);
            if (!File.Exists(link)) File.CreateSymbolicLink(link, "busybox");
        }
        File.WriteAllText(Path.Combine(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
        File.WriteAllText(Path.Combine(dir, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
        File.SetUnixFileMode(Path.Combine(dir, "tmp"), (UnixFileMode)0x3FF /* 1777 */ | UnixFileMode.StickyBit);
        return dir;
    }
}
