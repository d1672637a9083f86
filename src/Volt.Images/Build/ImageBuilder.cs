using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Images.Build.Containerfiles;
using Volt.Images.Distribution;
using Volt.Images.Layers;
using Volt.Images.Oci;
using Volt.Images.Sources;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images.Build;

/// <summary>
/// Builds a Containerfile into an ordinary image, each step's result a CAS tree. No layer tarballs: COPY grafts
/// entries of the context's tree (the context is stored once with the CAS's tree builder, so its files are hashed
/// with BLAKE3 and re-read only when their stat data changed) into the stage's tree; RUN mounts an overlay of the
/// parent tree's shared lower dir, runs the command on systemd-nspawn (<see cref="IStepRunner"/>) and folds the
/// upper dir (whiteouts and opaque dirs included) into a new tree. A step's cache key is its parent tree, the
/// instruction as it will run (variables expanded; for RUN the environment, user, workdir and network) and the
/// BLAKE3 digests of what it copies: the ref <c>build/cache/&lt;key&gt;</c> names the resulting tree, and is written
/// only once the step succeeded, so a failed or interrupted step caches nothing.
/// </summary>
public sealed partial class ImageBuilder(VoltPaths paths, CasStore cas, IStepRunner runner, int parallelism, TimeProvider? time = null)
{
    public const string CacheRefPrefix = "build/cache";

    private readonly VoltPaths paths = paths;
    private readonly CasStore cas = cas;
    private readonly IStepRunner runner = runner;
    private readonly int parallelism = parallelism;

    private static readonly string[] ProxyArgs =
        ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

    private TimeProvider Time => time ?? TimeProvider.System;

    /// <summary>Pulls a registry base image on demand (null: <see cref="RegistryClient"/> without credentials).</summary>
    public Func<ImageReference, CancellationToken, Task<StoredImage>>? Puller { get; init; }

    public async Task<ImageBuildResult> BuildAsync(BuildRequest req, IProgress<BuildProgress>? progress, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var context = Path.GetFullPath(req.Context);
        if (!Directory.Exists(context)) throw VoltException.NotFound($"build context \"{req.Context}\" is not a directory");
        var file = req.File is { } f ? Path.GetFullPath(f) : DefaultFile(context);
        var cf = ContainerfileParser.ParseFile(file);
        var platform = req.Platform ?? $"linux/{DirImageBuilder.HostArchitecture}";
        var arch = platform.Split('/') is { Length: >= 2 } pp ? pp[1] : "";
        if (!platform.StartsWith("linux/", StringComparison.Ordinal) || arch != DirImageBuilder.HostArchitecture)
            throw VoltException.Usage($"--platform {platform}: this host builds only linux/{DirImageBuilder.HostArchitecture}");
        if (req.Network is not ("none" or "host")) throw VoltException.Usage($"network \"{req.Network}\": none or host");
        foreach (var t in req.Tags) ImageReference.Parse(t); // bad names fail before any work

        var run = new Run(this, req, cf, context, progress, ct);
        cas.EnsureCreated();
        using var writerLock = cas.WriterLock(); // no GC sweep while steps produce objects no ref names yet
        try
        {
            var final = await run.BuildAsync().ConfigureAwait(false);
            var configBytes = run.FinalConfig(final);
            var manifest = final.Manifest();
            var treeDigest = final.Tree ?? cas.Put(manifest.Serialize()).Digest;
            var tagged = new List<StoredImage>();
            var store = new ImageStore(cas);
            var names = req.Tags.Count > 0 ? req.Tags : [$"build-{Convert.ToHexStringLower(SHA256.HashData(configBytes))[..12]}"];
            foreach (var n in names)
                tagged.Add(store.Save(ImageReference.Parse(n), treeDigest, manifest.Size, configBytes, null, platform));
            return new ImageBuildResult(tagged[0], tagged, run.Results, sw.Elapsed);
        }
        finally
        {
            run.Dispose();
        }
    }

    private static string DefaultFile(string context)
    {
        foreach (var n in new[] { "Containerfile", "Dockerfile" })
            if (File.Exists(Path.Combine(context, n))) return Path.Combine(context, n);
        throw VoltException.NotFound($"no Containerfile or Dockerfile in \"{context}\" (use -f FILE)");
    }

    internal static string Key(params string[] parts)
    {
        var sb = new StringBuilder("volt.build/v1");
        foreach (var p in parts) sb.Append('\0').Append(p);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private Digest? CacheLookup(string key)
    {
        var r = cas.Refs.TryGet($"{CacheRefPrefix}/{key}");
        return r is { Kind: RefKind.Tree } && cas.Exists(r.Target) ? r.Target : null;
    }

    private void CacheStore(string key, Digest tree, long size) => cas.Refs.Set($"{CacheRefPrefix}/{key}", tree, RefKind.Tree, size);

    /// <summary>One build's state: the stages built so far, the context tree, the step counter.</summary>
    private sealed partial class Run(ImageBuilder b, BuildRequest req, Containerfile cf, string context, IProgress<BuildProgress>? progress, CancellationToken ct) : IDisposable
    {
        private readonly Dictionary<int, StageState> _built = [];
        private readonly Dictionary<string, string?> _globals = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedArgs = new(StringComparer.Ordinal);
        private int _step, _steps;
        private string? _contextRef;
        private RootfsTree? _contextTree;

        public List<BuildStepResult> Results { get; } = [];

        private CasStore Cas => b.cas;

        public async Task<StageState> BuildAsync()
        {
            foreach (var (k, v) in Platform()) _globals[k] = v;
            foreach (var a in cf.GlobalArgs) DeclareArgs(a, _globals, n => _globals.GetValueOrDefault(n));
            var target = cf.Target(req.Target);
            var needed = new SortedSet<int>();
            Need(target, needed);
            _steps = needed.Sum(i => 1 + cf.Stages[i].Instructions.Count);
            StageState? last = null;
            foreach (var i in needed) last = _built[i] = await StageAsync(cf.Stages[i]).ConfigureAwait(false);
            foreach (var unused in req.BuildArgs.Keys.Where(k => !_usedArgs.Contains(k) && !ProxyArgs.Contains(k)))
                progress?.Report(new BuildProgress(BuildProgressKind.Info, $"Warning: build argument {unused} was not consumed"));
            return last!;
        }

        private IEnumerable<(string, string)> Platform()
        {
            var arch = DirImageBuilder.HostArchitecture;
            foreach (var p in new[] { "BUILD", "TARGET" })
            {
                yield return ($"{p}PLATFORM", $"linux/{arch}");
                yield return ($"{p}OS", "linux");
                yield return ($"{p}ARCH", arch);
                yield return ($"{p}VARIANT", "");
            }
        }

        /// <summary>The stages <paramref name="s"/> needs (its FROM and COPY --from stages), in Containerfile order.</summary>
        private void Need(Stage s, SortedSet<int> into)
        {
            if (!into.Add(s.Index)) return;
            var refs = new List<string> { Expand(s.BaseRaw, s.From, n => _globals.GetValueOrDefault(n)) };
            refs.AddRange(s.Instructions.Where(i => i.Keyword == "COPY" && i.Flag("from") is not null).Select(i => i.Flag("from")!));
            foreach (var r in refs)
                if (StageRef(r, s.Index) is { } dep) Need(dep, into);
        }

        private Stage? StageRef(string name, int before)
        {
            var s = cf.Stages.Take(before).FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
            if (s is not null) return s;
            return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < before ? cf.Stages[i] : null;
        }

        private string Expand(string text, Instruction at, Func<string, string?> lookup)
        {
            try { return ShellWords.Word(text, n => Use(n, lookup(n)), cf.Escape); }
            catch (FormatException e) { throw ContainerfileException.At(cf.File, at, e.Message); }
        }

        private List<string> ExpandWords(string text, Instruction at, Func<string, string?> lookup)
        {
            try { return ShellWords.Words(text, n => Use(n, lookup(n)), cf.Escape); }
            catch (FormatException e) { throw ContainerfileException.At(cf.File, at, e.Message); }
        }

        private string? Use(string name, string? value)
        {
            _usedArgs.Add(name);
            return value;
        }

        private void DeclareArgs(Instruction i, Dictionary<string, string?> scope, Func<string, string?> lookup)
        {
            foreach (var word in ExpandWordsRaw(i))
            {
                var kv = word.Split('=', 2);
                var name = kv[0];
                _usedArgs.Add(name);
                if (req.BuildArgs.TryGetValue(name, out var given)) scope[name] = given;
                else if (kv.Length == 2) scope[name] = Expand(kv[1], i, lookup);
                else if (!scope.ContainsKey(name)) scope[name] = _globals.TryGetValue(name, out var g) ? g : null;
            }
        }

        /// <summary>ARG words with quotes removed but values left for <see cref="DeclareArgs"/> to expand.</summary>
        private List<string> ExpandWordsRaw(Instruction i) =>
            i.Args.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();

        private void Step(Stage s, Instruction i, bool cached)
        {
            var text = $"STEP {_step}/{_steps}: {i.Display}{(cached ? " (cached)" : "")}";
            progress?.Report(new BuildProgress(BuildProgressKind.Step, text, _step, _steps, cached));
        }

        private async Task<StageState> StageAsync(Stage s)
        {
            _step++;
            var sw = Stopwatch.StartNew();
            Step(s, s.From, false);
            var baseName = Expand(s.BaseRaw, s.From, n => _globals.GetValueOrDefault(n));
            var state = await FromAsync(baseName, s).ConfigureAwait(false);
            Results.Add(new BuildStepResult(_step, s.Name ?? s.Index.ToString(CultureInfo.InvariantCulture), s.From.Display, false, state.Tree?.ToString(), sw.Elapsed));
            foreach (var i in s.Instructions)
            {
                ct.ThrowIfCancellationRequested();
                _step++;
                sw.Restart();
                var cached = await InstructionAsync(s, state, i).ConfigureAwait(false);
                Results.Add(new BuildStepResult(_step, state.Name, i.Display, cached, state.Tree?.ToString(), sw.Elapsed));
            }
            return state;
        }

        private async Task<StageState> FromAsync(string name, Stage s)
        {
            var stageName = s.Name ?? s.Index.ToString(CultureInfo.InvariantCulture);
            if (StageRef(name, s.Index) is { } dep)
            {
                var from = _built[dep.Index];
                var copy = new StageState(Cas, stageName, from.Tree, (JsonObject)from.Document.DeepClone()) { Shell = [.. from.Shell] };
                return copy;
            }
            if (name.Equals("scratch", StringComparison.OrdinalIgnoreCase))
            {
                var doc = new JsonObject
                {
                    ["architecture"] = DirImageBuilder.HostArchitecture, ["os"] = "linux", ["config"] = new JsonObject(),
                    ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
                };
                return new StageState(Cas, stageName, null, doc);
            }
            var img = await BaseImageAsync(name, s.From).ConfigureAwait(false);
            var config = JsonNode.Parse(Cas.ReadAllBytes(img.Record.ConfigDigest)) as JsonObject ?? new JsonObject();
            var state = new StageState(Cas, stageName, img.Record.TreeDigest, config);
            if (config["config"] is JsonObject c && c["OnBuild"] is JsonArray onbuild && onbuild.Count > 0)
                progress?.Report(new BuildProgress(BuildProgressKind.Info, $"Warning: {name} has {onbuild.Count} ONBUILD trigger(s); Volt records but does not run them"));
            return state;
        }

        private async Task<StoredImage> BaseImageAsync(string name, Instruction at)
        {
            ImageReference parsed;
            try { parsed = ImageReference.Parse(name); }
            catch (VoltException e) { throw ContainerfileException.At(cf.File, at, e.Message); }
            var store = new ImageStore(Cas);
            if (store.TryGet(name) is { } local) return local;
            if (parsed.Registry is null)
                throw VoltException.NotFound($"{cf.File}:{at.Line}: FROM {name}: no such image here (volt image pull, volt image create or a stage name)");
            progress?.Report(new BuildProgress(BuildProgressKind.Info, $"pulling {parsed}"));
            if (b.Puller is { } pull) return await pull(parsed, ct).ConfigureAwait(false);
            using var source = new RegistrySource(new RegistryClient(parsed, null, false));
            var r = await new ImagePuller(Cas).PullAsync(source, parsed, Oci.Platform.Parse($"linux/{DirImageBuilder.HostArchitecture}"), null, ct).ConfigureAwait(false);
            return r.Image;
        }

        public byte[] FinalConfig(StageState s)
        {
            var doc = s.Document;
            doc["created"] = b.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
            doc["architecture"] = DirImageBuilder.HostArchitecture;
            doc["os"] = "linux";
            doc["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() };
            foreach (var (k, v) in req.Labels) s.Map("Labels")[k] = v;
            return Encoding.UTF8.GetBytes(doc.ToJsonString());
        }

        public void Dispose()
        {
            if (_contextRef is not null) Cas.Refs.Delete(_contextRef);
        }
    }
}
