using System.Globalization;
using System.Text;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Native;
using Volt.Images.Build.Containerfiles;
using Volt.Images.Layers;
using Volt.Images.Rootfs;
using Volt.Storage.Cas;

namespace Volt.Images.Build;

public sealed partial class ImageBuilder
{
    private sealed partial class Run
    {
        private async Task<bool> RunStepAsync(Stage s, StageState st, Instruction i)
        {
            var command = RunCommand(st, i);
            // ARGs are in a RUN's environment (ENV wins), and so are the proxy args when given, without a declaration.
            var env = st.Env;
            foreach (var (k, v) in st.Args)
                if (v is not null && st.GetEnv(k) is null) env.Add($"{k}={v}");
            var proxies = ProxyArgs.Where(p => req.BuildArgs.ContainsKey(p) && !st.Args.ContainsKey(p)).Select(p => $"{p}={req.BuildArgs[p]}").ToList();
            var network = i.Flag("network") is "host" ? "host" : i.Flag("network") is "none" ? "none" : req.Network;
            var parent = st.Tree?.ToString() ?? "scratch";
            var key = Key("RUN", parent, JsonSerializer.Serialize(command, BuildJson.Default.ListString), string.Join('\n', env), st.Workdir, st.User ?? "", network);
            if (!req.NoCache && b.CacheLookup(key) is { } hit)
            {
                Step(s, i, true);
                st.SetTree(hit);
                st.History(i.Original, false, b.Time.GetUtcNow(), "cached");
                return true;
            }
            Step(s, i, false);
            if (st.Tree is null) throw ContainerfileException.At(cf.File, i, "RUN needs a base image with a shell (FROM scratch has none)");

            var work = Path.Combine(b.paths.Lib, "build", $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..24]);
            var upper = Path.Combine(work, "upper");
            var rootfs = Path.Combine(work, "rootfs");
            var lower = EnsureLower(st.Tree.Value);
            Directory.CreateDirectory(upper);
            Directory.CreateDirectory(Path.Combine(work, "work"));
            Directory.CreateDirectory(rootfs);
            var tail = new Queue<string>();
            try
            {
                Mounts.MountOverlay(lower, upper, Path.Combine(work, "work"), rootfs);
                var spec = new RunStepSpec($"volt-build-{Path.GetFileName(work)[..12]}", rootfs, command, [.. env, .. proxies], st.Workdir, st.User, network == "host");
                var code = await b.runner.RunAsync(spec, line =>
                {
                    lock (tail)
                    {
                        tail.Enqueue(line);
                        if (tail.Count > 15) tail.Dequeue();
                    }
                    progress?.Report(new BuildProgress(BuildProgressKind.Output, line, _step, _steps));
                }, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                if (code != 0)
                {
                    string last;
                    lock (tail) last = string.Join('\n', tail);
                    throw new VoltException(ExitCode.General,
                        $"{cf.File}:{i.Line}: STEP {_step}/{_steps}: RUN exited with code {code}{(last.Length > 0 ? "; its last output:\n" + last : "")}");
                }
                Mounts.Unmount(rootfs);
                var (digest, manifest) = FoldUpper(st, upper);
                b.CacheStore(key, digest, manifest.Size);
                st.History(i.Original, false, b.Time.GetUtcNow());
                return false;
            }
            finally
            {
                try { Mounts.Unmount(rootfs); } catch (VoltException) { }
                try { LowerDirBuilder.Remove(work); } catch (Exception e) when (e is IOException or UnauthorizedAccessException or VoltException) { }
            }
        }

        private List<string> RunCommand(StageState st, Instruction i)
        {
            if (i.Json is { } json) return [.. json];
            var a = i.Args.Trim();
            if (i.Heredocs.Count > 0)
            {
                // RUN <<EOF alone: the body is the script. Otherwise the shell gets the heredocs back as written.
                if (i.Heredocs.Count == 1 && HeredocOnly(a)) return [.. st.Shell, i.Heredocs[0].Body];
                var sb = new StringBuilder(a);
                foreach (var h in i.Heredocs) sb.Append('\n').Append(h.Body).Append(h.Name);
                return [.. st.Shell, sb.ToString()];
            }
            return [.. st.Shell, a];
        }

        private static bool HeredocOnly(string a) => a.StartsWith("<<", StringComparison.Ordinal) && !a.Contains(' ', StringComparison.Ordinal);

        private string EnsureLower(Digest tree)
        {
            var lower = Path.Combine(b.paths.Images, tree.Hex, "lower");
            if (Directory.Exists(lower)) return lower;
            Directory.CreateDirectory(Path.GetDirectoryName(lower)!);
            using var _ = FileLock.Exclusive(Path.Combine(b.paths.Images, ".lock"));
            if (Directory.Exists(lower)) return lower;
            new LowerDirBuilder(Cas).Build(TreeManifest.Load(Cas, tree), lower, "build step " + tree.Hex[..12]);
            return lower;
        }

        /// <summary>The parent tree with the upper dir applied: new and changed entries, whiteouts, opaque dirs.</summary>
        private (Digest, TreeManifest) FoldUpper(StageState st, string upper)
        {
            var tempRef = $"tmp/image-build/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
            BuildResult built;
            try { built = new TreeBuilder(Cas, b.parallelism).Build(upper, tempRef, null, ct, useCache: false); }
            finally { TreeBuilder.ForgetStatCache(Cas, upper); }
            try
            {
                var diff = TreeManifest.Load(Cas, built.Manifest);
                var parent = TreeManifest.Load(Cas, st.Tree!.Value);
                var tree = RootfsTree.From(parent);
                tree.Layer = 1;
                // nspawn creates the mount points it needs (/dev, /proc, /sys, /run, /root, /var) when the image lacks
                // them; left empty in the upper dir they are the runtime's, not the step's (Docker's images lack them too).
                var had = parent.Entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
                var mountPoints = diff.Entries
                    .Where(e => e.Type == "dir" && e.Path is "dev" or "proc" or "sys" or "run" or "root" or "var" && !had.Contains(e.Path)
                        && !diff.Entries.Any(c => c.Path.StartsWith(e.Path + "/", StringComparison.Ordinal)))
                    .Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
                foreach (var e in diff.Entries)
                {
                    if (e.Path is "." or "" || mountPoints.Contains(e.Path)) continue;
                    var parts = e.Path.Split('/');
                    if (e.Type == "char" && e.RDev == "0:0") { tree.WhiteOut(parts[..^1], parts[^1], e.Path); continue; }
                    tree.Put(parts, RootfsTree.Clone(e), e.Path);
                    if (e.Type == "dir" && IsOpaque(Path.Combine(upper, e.Path))) tree.Opaque(parts, e.Path);
                }
                return st.Commit(tree);
            }
            finally
            {
                Cas.Refs.Delete(tempRef);
            }
        }

        private static unsafe bool IsOpaque(string dir)
        {
            byte* buf = stackalloc byte[8];
            foreach (var name in new[] { "trusted.overlay.opaque", "user.overlay.opaque" })
            {
                var n = LibC.lgetxattr(dir, name, buf, 8);
                if (n > 0 && buf[0] == (byte)'y') return true;
            }
            return false;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class BuildJson : System.Text.Json.Serialization.JsonSerializerContext;
