using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// The one Debian image the real stack tests (and install.sh's example) run: nginx, Flask and MariaDB, made with
/// <c>volt image create</c> into a fresh root whose build cache outlives it (one debootstrap per machine).
/// </summary>
internal static class StackImage
{
    public const string Packages = "mariadb-server,mariadb-client,nginx-light,python3-flask,python3-pymysql";

    /// <summary>Makes <c>root/</c> in <paramref name="dir"/> and the image <paramref name="name"/> in it; skips only when the mirror is unreachable.</summary>
    public static (string Root, Dictionary<string, string> Env) Create(TempDir dir, string name)
    {
        var root = dir.Combine("root");
        dir.Write("root/etc/volt/config.yaml", $"build:\n  cache_dir: {Path.Combine(DebianRootfs.CacheRoot, "build")}\n");
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" };
        var image = TestEnv.Run(VoltBinary.Path, ["image", "create", name, "--from", "debian:bookworm", "--include", Packages], env, null);
        if (image.Code != 0 && DebianRootfs.MirrorUnreachable() is { } why) Assert.Skip($"the Debian mirror cannot be reached ({why})");
        image.Code.ShouldBe(0, image.Err);
        return (root, env);
    }
}
