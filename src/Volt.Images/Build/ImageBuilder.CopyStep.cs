using System.Globalization;
using System.Text;
using Volt.Core.Errors;
using Volt.Images.Build.Containerfiles;
using Volt.Images.Layers;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images.Build;

public sealed partial class ImageBuilder
{
    private sealed partial class Run
    {
        /// <summary>One entry a COPY/ADD puts: where (absolute in the image) and what.</summary>
        private sealed record Placed(string Path, TreeEntry Entry);

        private async Task<bool> CopyStepAsync(Stage s, StageState st, Instruction i)
        {
            Func<string, string?> lookup = st.Lookup;
            var add = i.Keyword == "ADD";
            var words = i.Json is { } json ? json.Select(w => Expand(w, i, lookup)).ToList() : ExpandWords(i.Args, i, lookup);
            var dest = words[^1];
            var sources = words[..^1];
            var fromFlag = i.Flag("from") is { } ff ? Expand(ff, i, lookup) : null;
            var destAbs = dest.StartsWith('/') ? dest : JoinPath(st.Workdir, dest);
            var destIsDir = dest.EndsWith('/') || dest.EndsWith("/.", StringComparison.Ordinal) || dest == "." || sources.Count > 1;
            var target = st.Rootfs();
            var (uid, gid) = Owner(i.Flag("chown") is { } co ? Expand(co, i, lookup) : null, target, i);
            var chmod = i.Flag("chmod") is { } cm ? cm.PadLeft(4, '0') : null;

            RootfsTree srcTree;
            string? hostRoot = null;
            if (fromFlag is not null)
            {
                if (add) throw ContainerfileException.At(cf.File, i, "ADD has no --from (use COPY --from)");
                srcTree = await FromTreeAsync(fromFlag, s, i).ConfigureAwait(false);
            }
            else
            {
                srcTree = ContextTree();
                hostRoot = context;
            }

            var placed = new List<Placed>();
            var destResolved = "/" + string.Join('/', target.Resolve(destAbs, followLast: true));
            if (target.Find(Split(destResolved), destResolved) is { Type: "dir" }) destIsDir = true;
            else if (destIsDir && i.Flag("chown") is not null && target.Find(Split(destResolved), destResolved) is null)
            {
                // A destination directory the COPY creates belongs to --chown's owner, as buildah and docker make it.
                placed.Add(new Placed(destResolved, new Volt.Storage.Cas.TreeEntry
                {
                    Path = destResolved.TrimStart('/'), Type = "dir", Mode = "0755", Uid = uid, Gid = gid, MTime = DateTimeOffset.UnixEpoch,
                }));
            }
            var listing = new StringBuilder();
            foreach (var src in sources)
            {
                ct.ThrowIfCancellationRequested();
                if (src.StartsWith("<<", StringComparison.Ordinal) && i.Heredocs.FirstOrDefault(h => src.TrimStart('<').TrimStart('-') == h.Name) is { } here)
                {
                    var body = here.Expand ? Expand(here.Body, i, lookup) : here.Body;
                    var put = Cas.Put(Encoding.UTF8.GetBytes(body));
                    var path = destIsDir ? JoinPath(destResolved, here.Name) : destResolved;
                    placed.Add(new Placed(path, new TreeEntry { Type = "file", Mode = chmod ?? "0644", Uid = uid, Gid = gid, MTime = DateTimeOffset.UnixEpoch, Size = put.Size, Digest = put.Digest.ToString() }));
                    continue;
                }
                if (add && (src.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || src.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
                {
                    placed.Add(await DownloadAsync(src, destIsDir ? JoinPath(destResolved, UrlName(src, i)) : destResolved, uid, gid, chmod, i).ConfigureAwait(false));
                    continue;
                }
                foreach (var (srcPath, name) in Matches(srcTree, src, hostRoot, i))
                {
                    var entry = srcTree.Find(Split(srcPath), srcPath)!;
                    if (entry.Type == "dir")
                    {
                        var baseLen = srcPath.Length;
                        placed.Add(new Placed(destResolved, Retag(entry, uid, gid, chmod, dirDefault: true)));
                        foreach (var e in srcTree.Subtree(Split(srcPath)).Skip(1))
                            placed.Add(new Placed(JoinPath(destResolved, e.Path[(baseLen == 0 ? 0 : baseLen + 1)..]), Retag(e, uid, gid, chmod, dirDefault: false)));
                        continue;
                    }
                    var to = destIsDir ? JoinPath(destResolved, name) : destResolved;
                    if (add && fromFlag is null && entry.Type == "file" && IsTarArchive(entry))
                    {
                        placed.AddRange(Unpack(entry, destIsDir || dest.EndsWith('/') ? destResolved : destResolved, i));
                        continue;
                    }
                    placed.Add(new Placed(to, Retag(entry, uid, gid, chmod, dirDefault: false)));
                }
            }
            listing.Append(fromFlag ?? "context").Append('\n');
            foreach (var p in placed)
                listing.Append(p.Path).Append('|').Append(p.Entry.Type).Append('|').Append(p.Entry.Mode).Append('|').Append(p.Entry.Uid.ToString(CultureInfo.InvariantCulture))
                    .Append(':').Append(p.Entry.Gid.ToString(CultureInfo.InvariantCulture)).Append('|').Append(p.Entry.Digest).Append('|').Append(p.Entry.Target).Append('|').Append(p.Entry.RDev).Append('\n');
            var key = Key(i.Keyword, st.Tree?.ToString() ?? "scratch", listing.ToString());
            if (!req.NoCache && b.CacheLookup(key) is { } hit)
            {
                Step(s, i, true);
                st.SetTree(hit);
                st.History(i.Original, false, b.Time.GetUtcNow(), "cached");
                return true;
            }
            Step(s, i, false);
            foreach (var p in placed)
            {
                var parts = Split(p.Path);
                if (parts.Length == 0)
                {
                    if (p.Entry.Type == "dir") continue;
                    throw ContainerfileException.At(cf.File, i, "cannot replace / with a file");
                }
                var resolvedParent = target.Resolve("/" + string.Join('/', parts[..^1]), followLast: true);
                string[] full = [.. resolvedParent, parts[^1]];
                if (p.Entry.Type == "dir" && target.Find(full, p.Path) is { Type: "dir" } && p.Path == destResolved && chmod is null && i.Flag("chown") is null) continue;
                try { target.Put(full, p.Entry, p.Path); }
                catch (HostileLayerException e) { throw ContainerfileException.At(cf.File, i, e.Message); }
            }
            var (digest, manifest) = st.Commit(target);
            b.CacheStore(key, digest, manifest.Size);
            st.History(i.Original, false, b.Time.GetUtcNow());
            return false;
        }

        private static string[] Split(string p) => p.Split('/', StringSplitOptions.RemoveEmptyEntries);

        private static TreeEntry Retag(TreeEntry e, uint uid, uint gid, string? chmod, bool dirDefault)
        {
            var c = RootfsTree.Clone(e);
            c.Uid = uid;
            c.Gid = gid;
            if (chmod is not null && c.Type is "file" or "dir") c.Mode = chmod;
            else if (dirDefault && c.Type == "dir") c.Mode = e.Mode;
            return c;
        }

        /// <summary>The source paths (in the source tree) a COPY source names: itself, or a glob's matches.</summary>
        private List<(string Path, string Name)> Matches(RootfsTree tree, string src, string? hostRoot, Instruction i)
        {
            var clean = src.TrimStart('/');
            if (IgnoreRules.IsGlob(clean))
            {
                var re = IgnoreRules.Glob(clean);
                var all = tree.Subtree([]).Skip(1).Where(e => re.IsMatch(e.Path)).Select(e => e.Path).ToList();
                var top = all.Where(p => !all.Any(q => p.StartsWith(q + "/", StringComparison.Ordinal))).ToList();
                if (top.Count == 0) throw ContainerfileException.At(cf.File, i, $"no source files match \"{src}\"");
                var result = new List<(string, string)>();
                foreach (var p in top) result.Add((ResolveSource(tree, p, hostRoot, i), p.Split('/')[^1]));
                return result;
            }
            var resolved = ResolveSource(tree, clean, hostRoot, i);
            if (tree.Find(Split(resolved), resolved) is null)
            {
                var where = hostRoot is null ? "the source stage or image" : "the build context";
                throw new VoltException(ExitCode.NotFound, $"{cf.File}:{i.Line}: {i.Keyword}: \"{src}\" not found in {where}{(hostRoot is not null && IgnoreRules.Load(context).Ignored(clean) ? " (it is excluded by the ignore file)" : "")}");
            }
            var name = Split(clean) is { Length: > 0 } segs ? segs[^1] : "";
            return [(resolved, name)];
        }

        private string ResolveSource(RootfsTree tree, string path, string? hostRoot, Instruction i)
        {
            try { return string.Join('/', tree.Resolve(path, followLast: true, hostRoot)); }
            catch (PathEscapeException) { throw ContainerfileException.At(cf.File, i, $"\"{path}\" is outside the build context (through \"..\" or a symlink): refused"); }
        }

        /// <summary>The build context as a tree: stored once per build (stat cache: unchanged files are not re-read), ignore rules applied.</summary>
        private RootfsTree ContextTree()
        {
            if (_contextTree is not null) return _contextTree;
            _contextRef = $"tmp/build-context/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
            progress?.Report(new BuildProgress(BuildProgressKind.Info, $"storing the build context {context}"));
            var built = new TreeBuilder(Cas, b.parallelism).Build(context, _contextRef, null, ct);
            var manifest = TreeManifest.Load(Cas, built.Manifest);
            var ignore = IgnoreRules.Load(context);
            if (ignore.Count > 0) manifest.Entries = manifest.Entries.Where(e => e.Path is "." or "" || !ignore.Ignored(e.Path)).ToList();
            _contextTree = RootfsTree.From(manifest);
            return _contextTree;
        }

        private async Task<RootfsTree> FromTreeAsync(string from, Stage s, Instruction i)
        {
            if (StageRef(from, s.Index) is { } dep) return _built[dep.Index].Rootfs();
            if (cf.Stages.Any(x => string.Equals(x.Name, from, StringComparison.OrdinalIgnoreCase)))
                throw ContainerfileException.At(cf.File, i, $"--from={from} names a later stage");
            var img = await BaseImageAsync(from, i).ConfigureAwait(false);
            return RootfsTree.From(TreeManifest.Load(Cas, img.Record.TreeDigest));
        }

        /// <summary>--chown USER[:GROUP] with names looked up in the image's /etc/passwd and /etc/group.</summary>
        private (uint, uint) Owner(string? chown, RootfsTree tree, Instruction i)
        {
            if (chown is null) return (0, 0);
            var parts = chown.Split(':', 2);
            uint Lookup(string v, string file, bool group)
            {
                if (uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
                var e = tree.Find(tree.Resolve(file, true), file);
                if (e?.Digest is { } d)
                    foreach (var line in Encoding.UTF8.GetString(Cas.ReadAllBytes(Digest.Parse(d))).Split('\n'))
                    {
                        var f = line.Split(':');
                        if (f.Length >= 3 && f[0] == v && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
                    }
                throw ContainerfileException.At(cf.File, i, $"--chown={chown}: no {(group ? "group" : "user")} \"{v}\" in the image's {file}");
            }
            var uid = Lookup(parts[0], "/etc/passwd", false);
            uint gid;
            if (parts.Length == 2) gid = Lookup(parts[1], "/etc/group", true);
            else if (uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)) gid = uid;
            else
            {
                // The user's primary group from /etc/passwd.
                gid = uid;
                var e = tree.Find(tree.Resolve("/etc/passwd", true), "/etc/passwd");
                if (e?.Digest is { } d)
                    foreach (var line in Encoding.UTF8.GetString(Cas.ReadAllBytes(Digest.Parse(d))).Split('\n'))
                    {
                        var f = line.Split(':');
                        if (f.Length >= 4 && f[0] == parts[0] && uint.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var g)) gid = g;
                    }
            }
            return (uid, gid);
        }

        private bool IsTarArchive(TreeEntry e)
        {
            try
            {
                using var raw = Cas.OpenRead(Digest.Parse(e.Digest!));
                using var s = Decompression.Open(raw);
                var head = new byte[512];
                var n = s.ReadAtLeast(head, 512, throwOnEndOfStream: false);
                return n >= 262 && Encoding.ASCII.GetString(head, 257, 5) == "ustar";
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException) { return false; }
        }

        private List<Placed> Unpack(TreeEntry archive, string destDir, Instruction i)
        {
            var tree = new RootfsTree { LayerName = $"ADD {archive.Path}" };
            using var stager = new ObjectStager(Cas);
            try
            {
                using var raw = Cas.OpenRead(Digest.Parse(archive.Digest!));
                using var tar = Decompression.Open(raw);
                new LayerApplier(tree, stager).Apply(tar, ct);
            }
            catch (HostileLayerException e) { throw ContainerfileException.At(cf.File, i, e.Message); }
            var manifest = tree.ToManifest();
            stager.Publish(manifest.Entries.Where(e => e.Digest is not null).Select(e => Digest.Parse(e.Digest!)).ToHashSet());
            return manifest.Entries.Where(e => e.Path is not ("." or "")).Select(e => new Placed(JoinPath(destDir, e.Path), e)).ToList();
        }

        private static string UrlName(string url, Instruction i)
        {
            var name = new Uri(url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            return name ?? "index.html";
        }

        private async Task<Placed> DownloadAsync(string url, string to, uint uid, uint gid, string? chmod, Instruction i)
        {
            if (req.Network != "host")
                throw ContainerfileException.At(cf.File, i, $"ADD {url}: downloading needs the network (--network host); the build's network is none");
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            using var resp = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode) throw new VoltException(ExitCode.Network, $"{cf.File}:{i.Line}: ADD {url}: HTTP {(int)resp.StatusCode}");
            await using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var put = await Cas.PutAsync(body, HashAlgo.Blake3, null, ct).ConfigureAwait(false);
            var mtime = resp.Content.Headers.LastModified ?? DateTimeOffset.UnixEpoch;
            return new Placed(to, new TreeEntry { Type = "file", Mode = chmod ?? "0600", Uid = uid, Gid = gid, MTime = mtime, Size = put.Size, Digest = put.Digest.ToString() });
        }
    }
}
