using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>A rootfs directory of Debian's busybox-static with applet links (used directly as a container image).</summary>
internal static class Busybox
{
    private static readonly string[] Applets = ["sh", "echo", "sleep", "httpd", "cat", "true", "false", "test", "touch", "wget", "ls", "id", "hostname", "env", "kill", "grep"];

    public static string Create(string dir)
    {
        TestEnv.Require(File.Exists("/bin/busybox"), "busybox-static is not installed (scripts/apt-packages.txt)");
        foreach (var d in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root", "run", "var", "usr/bin", "www" }) Directory.CreateDirectory(Path.Combine(dir, d));
        File.Copy("/bin/busybox", Path.Combine(dir, "bin", "busybox"), overwrite: true);
        foreach (var a in Applets)
        {
            var link = Path.Combine(dir, "bin", a);
            if (!File.Exists(link)) File.CreateSymbolicLink(link, "busybox");
        }
        File.WriteAllText(Path.Combine(dir, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
        File.WriteAllText(Path.Combine(dir, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
        File.SetUnixFileMode(Path.Combine(dir, "tmp"), (UnixFileMode)0x3FF | UnixFileMode.StickyBit);
        return dir;
    }
}
