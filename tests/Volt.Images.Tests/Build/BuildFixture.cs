using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Build;

/// <summary>
/// One VOLT root for the build tests with a gcc base: <c>volt image create gcc:bookworm --from debian:bookworm
/// --include gcc,libc6-dev</c>. debootstrap runs once per machine (its rootfs is cached under
/// <c>/var/cache/volt-test/build</c> via <c>build.cache_dir</c>); a fresh root then only stores it (the CAS's stat
/// cache makes that a stat walk after the first time).
/// </summary>
public sealed class BuildFixture : IDisposable
{
    public const string Base = "gcc:bookworm";

    private readonly TempDir _temp = new("volt-build");
    private readonly object _gate = new();
    private string? _failure;
    private bool _ready;

    public string Root => _temp.Combine("root");

    public string CacheDir => Path.Combine(DebianRootfs.CacheRoot, "build");

    public BuildFixture()
    {
        Directory.CreateDirectory(Path.Combine(Root, "etc", "volt"));
        File.WriteAllText(Path.Combine(Root, "etc", "volt", "config.yaml"), $"build:\n  cache_dir: {CacheDir}\n");
    }

    /// <summary>Creates the gcc base the first time a test needs it (skips without root or debootstrap).</summary>
    public void RequireBase()
    {
        TestEnv.RequireRoot("debootstrap and nspawn RUN steps need root");
        TestEnv.RequireTool("debootstrap");
        TestEnv.RequireTool("systemd-nspawn");
        lock (_gate)
        {
            if (_ready) return;
            if (_failure is not null) throw new InvalidOperationException(_failure);
            var r = Volt("image", "create", Base, "--from", "debian:bookworm", "--include", "gcc,libc6-dev");
            if (r.Code != 0 && DebianRootfs.MirrorUnreachable() is { } why) Assert.Skip($"the Debian mirror {DebianRootfs.Mirror} cannot be reached ({why}): no debootstrap base");
            if (r.Code != 0) { _failure = $"volt image create failed ({r.Code}): {r.Err}"; throw new InvalidOperationException(_failure); }
            _ready = true;
        }
    }

    public (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(Root, args);

    public string NewContext(string name)
    {
        var dir = _temp.Combine("ctx-" + name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        using (new Fixtures.ContainerRuns(Root)) { }
        _temp.Dispose();
    }
}

/// <summary>The build tests share one root and one gcc base, and run one after another.</summary>
[CollectionDefinition("builds")]
public sealed class BuildCollection : ICollectionFixture<BuildFixture>;
