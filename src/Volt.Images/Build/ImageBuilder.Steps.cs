using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Images.Build.Containerfiles;

namespace Volt.Images.Build;

public sealed partial class ImageBuilder
{
    private sealed partial class Run
    {
        /// <summary>Runs (or looks up) one instruction; true when its result came from the cache.</summary>
        private async Task<bool> InstructionAsync(Stage s, StageState st, Instruction i)
        {
            var now = b.Time.GetUtcNow();
            Func<string, string?> lookup = st.Lookup;
            switch (i.Keyword)
            {
                case "RUN":
                    return await RunStepAsync(s, st, i).ConfigureAwait(false);
                case "COPY" or "ADD":
                    return await CopyStepAsync(s, st, i).ConfigureAwait(false);
                case "ARG":
                    Step(s, i, false);
                    DeclareArgs(i, st.Args, lookup);
                    st.History(i.Original, true, now);
                    return false;
            }
            Step(s, i, false);
            var a = i.Args.Trim();
            switch (i.Keyword)
            {
                case "ENV":
                    foreach (var (k, v) in Pairs(i, lookup)) st.SetEnv(k, v);
                    break;
                case "LABEL":
                    foreach (var (k, v) in Pairs(i, lookup)) st.Map("Labels")[k] = v;
                    break;
                case "MAINTAINER":
                    st.Document["author"] = Expand(a, i, lookup);
                    break;
                case "WORKDIR":
                    var w = Expand(a, i, lookup);
                    if (!w.StartsWith('/')) w = JoinPath(st.Workdir, w);
                    st.Config["WorkingDir"] = NormalizeAbs(w);
                    EnsureDir(st, NormalizeAbs(w));
                    break;
                case "USER":
                    st.Config["User"] = Expand(a, i, lookup);
                    break;
                case "EXPOSE":
                    foreach (var p in ExpandWords(a, i, lookup))
                    {
                        var port = p.Contains('/') ? p.ToLowerInvariant() : p + "/tcp";
                        var num = port.Split('/')[0];
                        var range = num.Split('-');
                        if (range.Any(r => !int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > 65535) || port.Split('/')[1] is not ("tcp" or "udp" or "sctp"))
                            throw ContainerfileException.At(cf.File, i, $"invalid port \"{p}\"");
                        st.Map("ExposedPorts")[port] = new JsonObject();
                    }
                    break;
                case "VOLUME":
                    foreach (var v in i.Json ?? ExpandWords(a, i, lookup))
                    {
                        if (v.Length == 0) throw ContainerfileException.At(cf.File, i, "an empty volume path");
                        st.Map("Volumes")[Expand(v, i, lookup)] = new JsonObject();
                    }
                    break;
                case "STOPSIGNAL":
                    st.Config["StopSignal"] = Expand(a, i, lookup);
                    break;
                case "CMD":
                    st.SetList("Cmd", Command(st, i));
                    st.CmdSet = true;
                    break;
                case "ENTRYPOINT":
                    st.SetList("Entrypoint", Command(st, i));
                    if (!st.CmdSet) st.Config.Remove("Cmd"); // an inherited CMD does not survive a new ENTRYPOINT
                    break;
                case "SHELL":
                    st.Shell = [.. i.Json!];
                    st.SetList("Shell", i.Json);
                    break;
                case "HEALTHCHECK":
                    Healthcheck(st, i);
                    break;
                case "ONBUILD":
                    var on = st.Config["OnBuild"] as JsonArray ?? (JsonArray)(st.Config["OnBuild"] = new JsonArray());
                    on.Add((JsonNode)a);
                    break;
            }
            st.History(i.Original, true, now);
            return false;
        }

        private List<string> Command(StageState st, Instruction i)
        {
            if (i.Json is { } json) return [.. json];
            return [.. st.Shell, i.Args.Trim()];
        }

        private void Healthcheck(StageState st, Instruction i)
        {
            var a = i.Args.Trim();
            if (a.Equals("NONE", StringComparison.OrdinalIgnoreCase))
            {
                st.Config["Healthcheck"] = new JsonObject { ["Test"] = new JsonArray("NONE") };
                return;
            }
            var cmd = a[3..].Trim();
            var test = ContainerfileParser.TryJson(cmd) is { } json ? new JsonArray([(JsonNode)"CMD", .. json.Select(x => (JsonNode)x)]) : new JsonArray("CMD-SHELL", cmd);
            var h = new JsonObject { ["Test"] = test };
            static long Ns(TimeSpan t) => t.Ticks * 100;
            foreach (var f in i.Flags)
            {
                switch (f.Key)
                {
                    case "interval": h["Interval"] = Ns(ContainerfileParser.Duration(f.Value)!.Value); break;
                    case "timeout": h["Timeout"] = Ns(ContainerfileParser.Duration(f.Value)!.Value); break;
                    case "start-period": h["StartPeriod"] = Ns(ContainerfileParser.Duration(f.Value)!.Value); break;
                    case "start-interval": h["StartInterval"] = Ns(ContainerfileParser.Duration(f.Value)!.Value); break;
                    case "retries": h["Retries"] = int.Parse(f.Value, CultureInfo.InvariantCulture); break;
                }
            }
            st.Config["Healthcheck"] = h;
        }

        /// <summary>ENV and LABEL: <c>K=V …</c> (quotes and variables processed) or the legacy <c>K V…</c>.</summary>
        private List<(string, string)> Pairs(Instruction i, Func<string, string?> lookup)
        {
            var raw = i.Args.Trim();
            var firstWord = raw.Split([' ', '\t'], 2)[0];
            if (!firstWord.Contains('='))
            {
                var rest = raw.Length > firstWord.Length ? raw[firstWord.Length..].Trim() : "";
                return [(firstWord, Expand(rest, i, lookup))];
            }
            var result = new List<(string, string)>();
            // Each pair sees the values of the pairs before it only on the next instruction (Docker's rule): expand
            // against the state as it was.
            foreach (var w in ExpandWords(raw, i, lookup))
            {
                var kv = w.Split('=', 2);
                result.Add((kv[0], kv.Length > 1 ? kv[1] : ""));
            }
            return result;
        }

        private static string JoinPath(string dir, string rel) => dir.TrimEnd('/') + "/" + rel;

        private static string NormalizeAbs(string p)
        {
            var parts = new List<string>();
            foreach (var seg in p.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (seg == ".") continue;
                if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
                parts.Add(seg);
            }
            return "/" + string.Join('/', parts);
        }

        /// <summary>WORKDIR creates its directory (as Docker does): a new tree only when it is missing.</summary>
        private void EnsureDir(StageState st, string dir)
        {
            var t = st.Rootfs();
            var parts = t.Resolve(dir, followLast: true);
            if (parts.Length == 0 || t.Find(parts, dir) is { Type: "dir" }) return;
            t.Put(parts, new Storage.Cas.TreeEntry { Type = "dir", Mode = "0755", MTime = DateTimeOffset.UnixEpoch }, dir);
            st.Commit(t);
        }
    }
}
