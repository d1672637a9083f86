using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Build;

/// <summary>
/// The same Containerfile built by <c>volt image build</c> and by <c>buildah bud</c> (Debian's buildah, vfs, chroot
/// isolation) on the same local busybox base: the same files (type, mode, owner, content, link target) and the same
/// config fields.
/// </summary>
public sealed class BuildahComparisonTests : ImageTestBase
{
    private const string Containerfile = """
        FROM BASE
        ENV A=1 B="two words"
        WORKDIR /app
        COPY files/ ./
        COPY --chmod=0755 run.sh /usr/local/bin/run.sh
        COPY --chown=1000:1000 owned.txt /data/
        COPY owned.txt /tmp/t.txt
        RUN echo built > /app/built.txt && rm /app/remove-me && ln -s built.txt /app/link && cat /tmp/t.txt > /app/from-tmp.txt
        LABEL x=y
        EXPOSE 8080/tcp
        USER 1000:1000
        ENTRYPOINT ["/usr/local/bin/run.sh"]
        CMD ["arg"]
        """;

    [Fact]
    public void SameContainerfile_SameBase_SameFilesAndConfigAsBuildah()
    {
        TestEnv.RequireRoot("buildah's vfs storage and nspawn RUN steps need root");
        TestEnv.RequireTool("buildah");
        ContainerRuns.Require();
        var baseDir = Temp.Combine("base");
        foreach (var d in new[] { "bin", "usr", "etc", "tmp" }) Directory.CreateDirectory(Path.Combine(baseDir, d));
        File.Copy("/bin/busybox", Path.Combine(baseDir, "bin/busybox"));
        foreach (var a in new[] { "sh", "echo", "rm", "ln" }) File.CreateSymbolicLink(Path.Combine(baseDir, "bin", a), "busybox");
        File.WriteAllText(Path.Combine(baseDir, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(baseDir, "etc/group"), "root:x:0:\n");
        var ctx = Temp.Combine("ctx");
        Directory.CreateDirectory(Path.Combine(ctx, "files/sub"));
        File.WriteAllText(Path.Combine(ctx, "files/a.txt"), "hi\n");
        File.WriteAllText(Path.Combine(ctx, "files/sub/b.txt"), "b\n");
        File.WriteAllText(Path.Combine(ctx, "files/remove-me"), "x\n");
        File.WriteAllText(Path.Combine(ctx, "owned.txt"), "mine\n");
        File.WriteAllText(Path.Combine(ctx, "run.sh"), "#!/bin/sh\necho run \"$@\"\n");
        File.WriteAllText(Path.Combine(ctx, "Containerfile"), Containerfile.Replace("FROM BASE", "FROM bb:1"));
        File.WriteAllText(Path.Combine(ctx, "Containerfile.buildah"), Containerfile.Replace("FROM BASE", "FROM localhost/bb:1"));
        File.WriteAllText(Path.Combine(ctx, ".containerignore"), "Containerfile*\n");

        // Volt
        var imported = Volt("image", "build-from-dir", baseDir, "--name", "bb:1", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        imported.Code.ShouldBe(0, imported.Err);
        var built = Volt("image", "build", "-t", "cmp:1", ctx);
        built.Code.ShouldBe(0, built.Err);
        var img = new global::Volt.Images.Store.ImageStore(Cas).Get("cmp:1");
        var voltFiles = Tree(img).Entries.Where(e => e.Path != ".").ToDictionary(e => e.Path, e => Describe(e.Type, e.Mode, e.Uid, e.Gid,
            e.Type == "file" ? Convert.ToHexStringLower(SHA256.HashData(Cas.ReadAllBytes(Digest.Parse(e.Digest!)))) : e.Target));
        var voltConfig = JsonNode.Parse(Cas.ReadAllBytes(img.Record.ConfigDigest))!["config"]!.AsObject();

        // buildah
        string[] ba = ["--root", Temp.Combine("ba-root"), "--runroot", Temp.Combine("ba-run"), "--storage-driver", "vfs"];
        string Buildah(params string[] args)
        {
            var r = TestEnv.Run("buildah", [.. ba, .. args], null, null);
            r.Code.ShouldBe(0, $"buildah {string.Join(' ', args)}: {r.Err}");
            return r.Out.Trim();
        }
        try
        {
            var c = Buildah("from", "scratch");
            var mnt = Buildah("mount", c);
            TestEnv.Run("cp", "-a", baseDir + "/.", mnt).Code.ShouldBe(0);
            Buildah("umount", c);
            Buildah("config", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", c);
            Buildah("commit", "-q", c, "localhost/bb:1");
            Buildah("rm", c);
            Buildah("bud", "--isolation", "chroot", "-f", Path.Combine(ctx, "Containerfile.buildah"), "-t", "localhost/cmp:1", ctx);
            var inspect = JsonNode.Parse(Buildah("inspect", "--type", "image", "localhost/cmp:1"))!["OCIv1"]!["config"]!.AsObject();
            var w = Buildah("from", "localhost/cmp:1");
            var root = Buildah("mount", w);
            var buildahFiles = Scan(root);

            // buildah's chroot isolation leaves the mount points it bound (/etc/hosts, /etc/resolv.conf, /dev, /proc,
            // /sys, /run) as empty entries; nspawn's build keeps none of them. Everything else must match.
            string[] runtimeOnly = ["etc/hosts", "etc/resolv.conf", "etc/hostname", "dev", "proc", "sys", "run"];
            foreach (var p in runtimeOnly) buildahFiles.Remove(p);
            voltFiles.Keys.Order(StringComparer.Ordinal).ShouldBe(buildahFiles.Keys.Order(StringComparer.Ordinal));
            foreach (var (path, what) in voltFiles) what.ShouldBe(buildahFiles[path], path);

            foreach (var key in new[] { "User", "Env", "Entrypoint", "Cmd", "WorkingDir", "ExposedPorts" })
                voltConfig[key]?.ToJsonString().ShouldBe(inspect[key]?.ToJsonString(), key);
            voltConfig["Labels"]!["x"]!.GetValue<string>().ShouldBe(inspect["Labels"]!["x"]!.GetValue<string>());
            Buildah("umount", w);
        }
        finally
        {
            TestEnv.Run("buildah", [.. ba, "rm", "-a"], null, null);
            TestEnv.Run("buildah", [.. ba, "rmi", "-a", "-f"], null, null);
        }
    }

    private static string Describe(string type, string mode, uint uid, uint gid, string? content) => $"{type} {mode} {uid}:{gid} {content}";

    private static Dictionary<string, string> Scan(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var full in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var rel = Path.GetRelativePath(root, full);
            var st = global::Volt.Core.IO.FileStat.LStat(full);
            var mode = Convert.ToString(st.Permissions, 8).PadLeft(4, '0');
            var (type, content) = st.Kind switch
            {
                global::Volt.Core.IO.FileKind.Directory => ("dir", (string?)null),
                global::Volt.Core.IO.FileKind.Symlink => ("symlink", new FileInfo(full).LinkTarget),
                global::Volt.Core.IO.FileKind.File => ("file", Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full)))),
                var k => (k.ToString().ToLowerInvariant(), null),
            };
            if (type == "symlink") mode = "0777";
            result[rel] = Describe(type, mode, st.Uid, st.Gid, content);
        }
        return result;
    }
}
