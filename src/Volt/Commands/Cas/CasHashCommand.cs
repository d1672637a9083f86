using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Storage.Cas;
using Volt.Storage.Hashing;

namespace Volt.Commands.Cas;

internal sealed class CasHashCommand : VoltCommand
{
    private static readonly Argument<string[]> Files = new("file") { Description = "Files to hash ('-' for stdin)", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> Algo = new("--algorithm", "-a") { Description = "Hash to compute", DefaultValueFactory = _ => "blake3" };
    private static readonly Option<int?> Threads = new("--threads") { Description = "Threads per file (default: all cores)", HelpName = "N" };

    public CasHashCommand() : base("hash", "Print the digest a file would be stored under, without storing it")
    {
        Algo.AcceptOnlyFromAmong("blake3", "sha256", "sha512");
        Add(Files); Add(Algo); Add(Threads);
        Examples = ["volt cas hash ./kernel.img", "volt cas hash --threads 1 a.bin b.bin", "volt cas hash -a sha256 layer.tar", "tar c . | volt cas hash -"];
    }

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        Digest.TryParseAlgo(parse.GetValue(Algo), out var algo);
        var threads = parse.GetValue(Threads) ?? Environment.ProcessorCount;
        if (threads < 1) throw new VoltException(ExitCode.Usage, "--threads must be at least 1");
        var results = new JsonArray();
        foreach (var path in parse.GetValue(Files)!)
        {
            Digest digest;
            long size;
            try
            {
                if (path == "-")
                {
                    await using var stdin = Console.OpenStandardInput();
                    (digest, size) = await HashStreamAsync(stdin, algo, threads, ct).ConfigureAwait(false);
                }
                else
                {
                    await using var src = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
                    (digest, size) = src.CanSeek
                        ? FileHashing.Hash(src.SafeFileHandle, path, algo, threads, ct)
                        : await HashStreamAsync(src, algo, threads, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw VoltException.NotFound($"file \"{path}\" not found");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw VoltException.From($"Failed reading \"{path}\"", e);
            }
            if (ctx.Out.Format == Rendering.OutputFormat.Table) ctx.Console.Out.WriteLine($"{digest}  {path}");
            else results.Add((JsonNode)new JsonObject { ["file"] = path, ["digest"] = digest.ToString(), ["size"] = size, ["kernel"] = algo == HashAlgo.Blake3 ? Blake3.Kernel : null });
        }
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(results);
        return 0;
    }

    private static async Task<(Digest, long)> HashStreamAsync(Stream s, HashAlgo algo, int threads, CancellationToken ct)
    {
        using var hasher = new ContentHasher(algo, parallel: threads > 1);
        var buffer = new byte[1 << 20];
        long size = 0;
        int n;
        while ((n = await s.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            hasher.Update(buffer.AsSpan(0, n));
            size += n;
        }
        return (hasher.Finish(), size);
    }
}
